package io.hopgate.control.megaco;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReplyCacheTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 2944);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.2", 2944);

    private final AtomicInteger evicted = new AtomicInteger();

    private static ReplyCache.Answer answer(InetSocketAddress peer, long id) {
        return new ReplyCache.Answer(peer, id, 1);
    }

    private static void fill(ReplyCache cache, InetSocketAddress peer, long from, long to, int replyBytes) {
        for (long id = from; id <= to; id++) {
            ReplyCache.Answer a = answer(peer, id);
            assertThat(cache.putIfAbsent(a)).isNull();
            cache.complete(a, new byte[replyBytes], 0);
        }
    }

    @Test
    void shouldEvictTheOldestWhenOverTheEntryBoundAndCountIt() {
        ReplyCache cache = new ReplyCache(100, Long.MAX_VALUE, 30_000, evicted::incrementAndGet);
        fill(cache, A, 1, 150, 10);
        assertThat(cache.size()).isEqualTo(100);
        assertThat(cache.evictions()).isEqualTo(50);
        assertThat(evicted.get()).isEqualTo(50);
        assertThat(cache.putIfAbsent(answer(A, 1))).as("the oldest went first").isNull();
        assertThat(cache.putIfAbsent(answer(A, 150))).as("the newest stays").isNotNull();
    }

    @Test
    void shouldEvictWhenOverTheByteBound() {
        ReplyCache cache = new ReplyCache(1_000_000, 10_000, 30_000, evicted::incrementAndGet);
        fill(cache, A, 1, 100, 1_000);
        assertThat(cache.bytes()).isLessThanOrEqualTo(10_000);
        assertThat(cache.size()).isEqualTo(10);
        assertThat(evicted.get()).isEqualTo(90);
    }

    @Test
    void shouldNeverEvictARequestStillRunning() {
        ReplyCache cache = new ReplyCache(2, Long.MAX_VALUE, 30_000, evicted::incrementAndGet);
        ReplyCache.Answer running = answer(A, 1);
        cache.putIfAbsent(running);
        fill(cache, A, 2, 5, 10);
        assertThat(cache.putIfAbsent(answer(A, 1))).as("still owed its reply").isSameAs(running);
    }

    @Test
    void shouldReleaseOnlyTheAcknowledgedRangeOfThatPeer() {
        ReplyCache cache = new ReplyCache(1_000_000, Long.MAX_VALUE, 30_000, evicted::incrementAndGet);
        fill(cache, A, 1, 50_000, 10);
        fill(cache, B, 1, 10, 10);
        assertThat(cache.acknowledge(A, 100, 199)).isEqualTo(100);
        assertThat(cache.acknowledge(A, 100, 199)).as("already released").isZero();
        assertThat(cache.acknowledge(A, 60_000, 4_000_000_000L)).as("nothing cached there").isZero();
        assertThat(cache.size()).isEqualTo(50_000 - 100 + 10);
        assertThat(cache.acknowledge(B, 0, 4_294_967_295L)).isEqualTo(10);
        assertThat(cache.bytes()).isEqualTo((50_000 - 100) * 10L);
        assertThat(cache.evictions()).as("an ack is not an eviction").isZero();
    }

    @Test
    void shouldExpireFinishedAnswersAfterTheirTime() {
        ReplyCache cache = new ReplyCache(1_000, Long.MAX_VALUE, 1_000, evicted::incrementAndGet);
        ReplyCache.Answer early = answer(A, 1);
        cache.putIfAbsent(early);
        cache.complete(early, new byte[5], 0);
        ReplyCache.Answer late = answer(A, 2);
        cache.putIfAbsent(late);
        cache.complete(late, new byte[5], 500_000_000L);
        cache.expire(1_200_000_000L);
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.putIfAbsent(answer(A, 2))).isSameAs(late);
        cache.expire(2_000_000_000L);
        assertThat(cache.size()).isZero();
        assertThat(cache.bytes()).isZero();
    }

    @Test
    void shouldForgetARequestThatWasNeverExecuted() {
        ReplyCache cache = new ReplyCache(1_000, Long.MAX_VALUE, 1_000, evicted::incrementAndGet);
        ReplyCache.Answer dropped = answer(A, 7);
        cache.putIfAbsent(dropped);
        cache.forget(dropped);
        assertThat(cache.putIfAbsent(answer(A, 7))).as("its retransmission is fresh").isNull();
    }
}
