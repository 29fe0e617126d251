package io.hopgate.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.state.ContextSnapshot.Egress;
import io.hopgate.control.state.ContextSnapshot.TerminationSnapshot;
import io.hopgate.control.state.ContextSnapshot.TopologyEntry;
import io.hopgate.media.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The recorder against a real redis-server: writes in order, never waits long while Redis is down, catches up. */
class StateRecorderTest {
    private RedisServer redis;
    private RedisCallStateStore store;
    private RedisCallStateStore reader;
    private StateRecorder recorder;

    @BeforeEach
    void start() throws Exception {
        redis = RedisServer.startOrSkip();
        // A loaded test machine gets a generous timeout; what is asserted is that it bounds every wait.
        store = RedisCallStateStore.create(redis.uri(), "[127.0.0.1]:2944", Duration.ofMillis(1000));
        store.ping();
        reader = RedisCallStateStore.create(redis.uri(), "[127.0.0.1]:2944", Duration.ofMillis(2000));
        recorder = new StateRecorder(store, Duration.ofMillis(1000), Duration.ofMillis(50), new SimpleMeterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        if (recorder != null) {
            recorder.close();
        }
        if (reader != null) {
            reader.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static ContextSnapshot context(int id, String mode, String remote) {
        TerminationSnapshot a = new TerminationSnapshot("rtp/" + (2 * id), 2 * id, 25000 + 4 * id, remote, mode,
            false, 8000, null, 0, new Egress(2 * id + 1, 0x1234, 0xABCD, 7, 160, 100, 16000),
            Map.of("h248.local", "v=0\nc=IN IP4 127.0.0.1\nm=audio 25000 RTP/AVP 0"));
        TerminationSnapshot b = new TerminationSnapshot("rtp/" + (2 * id + 1), 2 * id + 1, 25002 + 4 * id, null,
            "SEND_RECV", true, 16000, "127.0.0.1:16000", 1234L, null, Map.of());
        return new ContextSnapshot(id, List.of(a, b), List.of(new TopologyEntry(a.id(), b.id(), "oneway")));
    }

    @Test
    void shouldWriteEachChangeBeforeReturningAndReadItBackEqual() {
        ContextSnapshot c1 = context(1, "SEND_RECV", "127.0.0.1:16100");
        ContextSnapshot c2 = context(2, "INACTIVE", "[::1]:16200");

        assertThat(recorder.record(c1)).isEqualTo(StateRecorder.Outcome.WRITTEN);
        assertThat(recorder.record(c2)).isEqualTo(StateRecorder.Outcome.WRITTEN);
        assertThat(reader.loadAll()).containsExactly(c1, c2);

        ContextSnapshot c1b = context(1, "SEND_ONLY", "127.0.0.1:16102");
        assertThat(recorder.record(c1b)).isEqualTo(StateRecorder.Outcome.WRITTEN);
        assertThat(recorder.remove(2)).isEqualTo(StateRecorder.Outcome.WRITTEN);
        assertThat(reader.loadAll()).containsExactly(c1b);
        assertThat(reader.ids()).containsExactly(1);
    }

    @Test
    void shouldAnswerWithinTheTimeoutWhileRedisIsDownAndCatchUpWhenItIsBack() throws Exception {
        recorder.record(context(1, "SEND_RECV", "127.0.0.1:16100"));
        recorder.record(context(2, "SEND_RECV", "127.0.0.1:16200"));
        redis.stop();

        long t0 = System.nanoTime();
        StateRecorder.Outcome first = recorder.record(context(1, "SEND_ONLY", "127.0.0.1:16100"));
        long firstMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(first).isEqualTo(StateRecorder.Outcome.NOT_WRITTEN);
        assertThat(firstMs).as("a control thread waits at most about state.timeout-ms").isLessThan(3_000);
        assertThat(recorder.replicating()).isFalse();

        // While behind, nothing waits on Redis at all.
        long t1 = System.nanoTime();
        for (int i = 3; i < 103; i++) {
            assertThat(recorder.record(context(i, "SEND_RECV", "127.0.0.1:16300")))
                .isEqualTo(StateRecorder.Outcome.NOT_WRITTEN);
        }
        assertThat(recorder.remove(2)).isEqualTo(StateRecorder.Outcome.NOT_WRITTEN);
        assertThat((System.nanoTime() - t1) / 1_000_000).as("100 changes while behind").isLessThan(1_000);

        // Back, and empty (no persistence): the recorder rewrites every context it has, not only the changed ones.
        redis.start();
        Await.until("the recorder replicates again", Duration.ofSeconds(20),
            () -> recorder.replicating() && recorder.behindContexts() == 0);
        List<ContextSnapshot> all = reader.loadAll();
        assertThat(all).hasSize(101);
        assertThat(all.get(0)).isEqualTo(context(1, "SEND_ONLY", "127.0.0.1:16100"));
        assertThat(reader.ids()).doesNotContain(2);
        assertThat(recorder.record(context(1, "INACTIVE", "127.0.0.1:16100")))
            .isEqualTo(StateRecorder.Outcome.WRITTEN);
    }

    @Test
    void shouldSkipTheWriteOfAnUnchangedSnapshot() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        StateRecorder counting = new StateRecorder(
            RedisCallStateStore.create(redis.uri(), "[127.0.0.1]:2954", Duration.ofMillis(1000)),
            Duration.ofMillis(1000), Duration.ofMillis(50), registry);
        try {
            counting.record(context(1, "SEND_RECV", "127.0.0.1:16100"));
            counting.record(context(1, "SEND_RECV", "127.0.0.1:16100"));
            assertThat(registry.get("hopgate.state.writes").tag("result", "ok").counter().count()).isEqualTo(1.0);
            assertThat(registry.get("hopgate.state.writes").tag("result", "skipped").counter().count())
                .isEqualTo(1.0);
            // Another mid's keys are its own.
            assertThat(reader.ids()).isEmpty();
        } finally {
            counting.close();
        }
    }
}
