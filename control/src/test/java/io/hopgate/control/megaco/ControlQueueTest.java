package io.hopgate.control.megaco;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.media.Await;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ControlQueueTest {
    @Test
    void shouldBoundEachPeerAndServePeersInTurn() throws Exception {
        InetAddress flooder = InetAddress.getByName("127.0.0.2");
        InetAddress other = InetAddress.getByName("127.0.0.1");
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        try (ControlQueue queue = new ControlQueue("test-control", 10, 1_000, 1 << 20)) {
            assertThat(queue.offer(flooder, 1, () -> awaitQuietly(gate))).isTrue();
            Await.until("the first task runs", () -> queue.queued() == 0);
            int accepted = 0;
            for (int i = 0; i < 100; i++) {
                int n = i;
                if (queue.offer(flooder, 1, () -> order.add("flood-" + n))) {
                    accepted++;
                }
            }
            assertThat(accepted).as("one peer's share").isEqualTo(10);
            assertThat(queue.offer(other, 1, () -> order.add("other"))).as("another peer still gets in").isTrue();
            gate.countDown();
            Await.until("all ran", () -> order.size() == 11);
            assertThat(order.indexOf("other")).as("served in its turn, not after the flood").isLessThanOrEqualTo(1);
        }
    }

    @Test
    void shouldBoundTheTotalInTasksAndBytes() {
        CountDownLatch gate = new CountDownLatch(1);
        try (ControlQueue queue = new ControlQueue("test-control", 100, 5, 1_000)) {
            queue.offer(null, 0, () -> awaitQuietly(gate));
            Await.until("the blocking task runs", () -> queue.queued() == 0);
            int accepted = 0;
            for (int i = 0; i < 20; i++) {
                if (queue.offer(InetAddress.getLoopbackAddress(), 10, () -> { })) {
                    accepted++;
                }
            }
            assertThat(accepted).isEqualTo(5);
            gate.countDown();
            Await.until("drained", () -> queue.queued() == 0);
            assertThat(queue.offer(InetAddress.getLoopbackAddress(), 2_000, () -> { })).as("over the byte bound")
                .isFalse();
        }
    }

    private static void awaitQuietly(CountDownLatch gate) {
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
