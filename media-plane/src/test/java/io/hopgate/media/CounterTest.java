package io.hopgate.media;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counter descriptor: malformed packets are counted by what was wrong, and statistics and totals carry every
 * counter the termination counted, by the one layout of {@link Counter}.
 */
class CounterTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 16000);
    private final PacketForwarder forwarder = new PacketForwarder(4);

    private static Termination termination(int index, InetSocketAddress remote) {
        Termination t = new Termination("rtp/" + index, index, new InetSocketAddress("127.0.0.1", 20000 + 2 * index));
        t.remote(RemoteAddress.of(remote));
        return t;
    }

    private int route(Termination from, byte[] datagram) {
        return forwarder.route(from, false, new UnsafeBuffer(datagram), 0, datagram.length, PEER, 1_000_000_000L);
    }

    private static byte[] rtp() {
        ByteBuffer p = RtpPeer.packet(7, 1, 160, 1);
        byte[] b = new byte[p.remaining()];
        p.get(b);
        return b;
    }

    @Test
    void aMalformedPacketIsCountedAsADropAndByWhatWasWrong() {
        Termination t = termination(1, PEER);
        Termination far = termination(2, new InetSocketAddress("127.0.0.1", 16200));
        t.routes(new Termination[] {far});
        byte[] badVersion = rtp();
        badVersion[0] = (byte) 0x40; // version 1
        byte[] badCsrc = rtp();
        badCsrc[0] = (byte) 0x8F; // 15 CSRCs announced, 160 payload bytes follow: fits, so cut the packet short
        byte[] shortCsrc = java.util.Arrays.copyOf(badCsrc, 20);
        byte[] badPadding = rtp();
        badPadding[0] = (byte) 0xA0; // padding bit set
        badPadding[badPadding.length - 1] = 0; // padding count 0
        assertThat(route(t, badVersion)).isEqualTo(PacketForwarder.DROPPED);
        assertThat(route(t, shortCsrc)).isEqualTo(PacketForwarder.DROPPED);
        assertThat(route(t, badPadding)).isEqualTo(PacketForwarder.DROPPED);
        assertThat(route(t, new byte[] {(byte) 0x80, 0, 0})).isEqualTo(PacketForwarder.DROPPED);
        assertThat(route(t, rtp())).isEqualTo(1);

        TerminationCounters c = t.counters();
        assertThat(c.dropped(DropReason.MALFORMED)).isEqualTo(4);
        assertThat(c.get(Counter.MALFORMED_BAD_VERSION)).isEqualTo(1);
        assertThat(c.get(Counter.MALFORMED_BAD_CSRC_LENGTH)).isEqualTo(1);
        assertThat(c.get(Counter.MALFORMED_BAD_PADDING)).isEqualTo(1);
        assertThat(c.get(Counter.MALFORMED_TOO_SHORT)).isEqualTo(1);
        assertThat(c.received()).isEqualTo(1);
    }

    @Test
    void statisticsAndTotalsCarryEveryCounterByTheDescriptorsLayout() {
        Termination t = termination(3, PEER);
        int n = 0;
        for (Counter counter : Counter.values()) {
            t.counters.add(counter, ++n); // a different value in every slot
        }
        TerminationStatistics s = t.statistics();
        PacketTotals totals = PacketTotals.ZERO.plus(s).plus(s);
        n = 0;
        for (Counter counter : Counter.values()) {
            n++;
            assertThat(s.get(counter)).as(counter.name()).isEqualTo(n);
            assertThat(totals.get(counter)).as(counter.name()).isEqualTo(2L * n);
        }
        assertThat(s.packetsReceived()).isEqualTo(s.get(Counter.RECEIVED));
        assertThat(t.moveFlushed()).isEqualTo(s.get(Counter.MOVE_FLUSHED));
        for (DropReason r : DropReason.values()) {
            assertThat(s.dropped(r)).isEqualTo(s.get(Counter.dropped(r)));
        }
    }

    @Test
    void everyCounterHasAUniqueKeyAndEveryMetricOneHelpText() {
        Set<String> keys = new HashSet<>();
        java.util.Map<String, String> help = new java.util.HashMap<>();
        for (Counter c : Counter.values()) {
            assertThat(keys.add(c.key())).as("key %s", c.key()).isTrue();
            assertThat(help.merge(c.metric(), c.help(), (a, b) -> a.equals(b) ? a : "DIFFERENT"))
                .as("help of %s", c.metric()).isNotEqualTo("DIFFERENT");
        }
        for (DropReason r : DropReason.values()) {
            assertThat(Counter.dropped(r).tagValue()).isEqualTo(r.name().toLowerCase(java.util.Locale.ROOT));
        }
    }
}
