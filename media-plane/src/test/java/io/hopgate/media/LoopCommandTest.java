package io.hopgate.media;

import io.netty.util.concurrent.SingleThreadEventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One writer per loop (docs/architecture.md section 4): control's changes of forwarding state are applied by the
 * loop that owns the termination, and a stalled loop delays only the commands for its own contexts.
 */
class LoopCommandTest {
    private MediaPlane plane;

    private void start(boolean connected) {
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22099).withIoThreads(2)
            .withConnectSockets(connected));
    }

    @AfterEach
    void stop() {
        if (plane != null) {
            plane.close();
        }
    }

    /** Blocks the context's loop until {@code gate} opens; returns once the loop is inside the blocking task. */
    private static void stall(MediaContext context, CountDownLatch gate) throws InterruptedException {
        CountDownLatch inside = new CountDownLatch(1);
        context.loop.eventLoop.execute(() -> {
            inside.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(inside.await(5, TimeUnit.SECONDS)).as("loop entered the stalling task").isTrue();
    }

    @ParameterizedTest(name = "connected sockets {0}")
    @ValueSource(booleans = {false, true})
    void aChangeIsWrittenByTheOwningLoopAndAStalledLoopDelaysOnlyItsOwnContexts(boolean connected) throws Exception {
        start(connected);
        InetSocketAddress first = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress second = new InetSocketAddress("127.0.0.1", 40002);
        MediaContext stalled = plane.createContext();
        MediaContext other = plane.createContext();
        assertThat(stalled.loop).as("round robin puts the two contexts on different loops").isNotSameAs(other.loop);
        Termination a = plane.add(stalled, StreamMode.SEND_RECV, first);
        Termination b = plane.add(other, StreamMode.SEND_RECV, first);

        CountDownLatch gate = new CountDownLatch(1);
        stall(stalled, gate);
        CompletableFuture<Void> repoint = CompletableFuture.runAsync(() -> {
            try {
                plane.remote(a, second);
            } catch (MediaPlaneException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            // The command is queued but not applied: control did not write the remote itself.
            Await.until("the re-point to be queued", () -> queued(stalled) > 0);
            assertThat(a.remote().rtp()).isEqualTo(first);
            assertThat(repoint).isNotDone();

            // Commands for a context on the other loop go through while that command waits.
            long t0 = System.nanoTime();
            plane.remote(b, second);
            plane.mode(b, StreamMode.RECV_ONLY);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0))
                .as("ms for two commands on the free loop").isLessThan(2_000);
            assertThat(b.remote().rtp()).isEqualTo(second);
            assertThat(b.mode()).isEqualTo(StreamMode.RECV_ONLY);
            assertThat(repoint).isNotDone();
        } finally {
            gate.countDown();
        }
        repoint.get(5, TimeUnit.SECONDS);
        assertThat(a.remote().rtp()).isEqualTo(second);
    }

    private static int queued(MediaContext context) {
        return ((SingleThreadEventExecutor) context.loop.eventLoop).pendingTasks();
    }
}
