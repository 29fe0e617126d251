package io.hopgate.rtp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.hopgate.rtp.RtpHeaderTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

class EgressRewriterTest {
    private static final long PTIME_NANOS = 20_000_000L;
    private static final int SOURCE_A = 1;
    private static final int SOURCE_B = 2;
    private static final int SSRC_A = 0xAAAA0001;
    private static final int SSRC_B = 0xBBBB0002;

    private final EgressRewriter rewriter = new EgressRewriter();
    private final UnsafeBuffer packet = new UnsafeBuffer(new byte[12 + 160]);

    private void send(final int sourceId, final int ssrc, final int seq, final int ts, final long now) {
        packet.putByte(0, (byte)0x80);
        packet.putByte(1, (byte)0x00);
        RtpHeader.ssrc(packet, 0, ssrc);
        RtpHeader.sequence(packet, 0, seq);
        RtpHeader.timestamp(packet, 0, ts);
        rewriter.rewriteRtp(packet, 0, packet.capacity(), sourceId, now, 8000);
    }

    private int seqOut() {
        return RtpHeader.sequence(packet, 0);
    }

    private int tsOut() {
        return RtpHeader.timestamp(packet, 0);
    }

    private int ssrcOut() {
        return RtpHeader.ssrc(packet, 0);
    }

    @Test
    void shouldStartWithoutSource() {
        assertThat(rewriter.hasSource()).isFalse();
        assertThat(rewriter.packetsOut()).isZero();
        assertThat(rewriter.sourceChanges()).isZero();
    }

    @Test
    void shouldPassFirstSourceThroughAsIdentity() {
        for (int i = 0; i < 10; i++) {
            send(SOURCE_A, SSRC_A, 500 + i, 9000 + i * 160, i * PTIME_NANOS);
            assertThat(ssrcOut()).isEqualTo(SSRC_A);
            assertThat(seqOut()).isEqualTo(500 + i);
            assertThat(tsOut()).isEqualTo(9000 + i * 160);
        }
        assertThat(rewriter.hasSource()).isTrue();
        assertThat(rewriter.outputSsrc()).isEqualTo(SSRC_A);
        assertThat(rewriter.packetsOut()).isEqualTo(10);
        assertThat(rewriter.octetsOut()).isEqualTo(10 * 160);
        assertThat(rewriter.sourceChanges()).isZero();
    }

    @Test
    void shouldKeepSsrcAndContinueSequenceAndTimestampWhenSourceChanges() {
        long now = 1_000_000_000L;
        for (int i = 0; i < 5; i++, now += PTIME_NANOS) {
            send(SOURCE_A, SSRC_A, 100 + i, 1000 + i * 160, now);
        }
        final int lastSeq = rewriter.lastSequence();
        final int lastTs = rewriter.lastTimestamp();
        assertThat(lastSeq).isEqualTo(104);
        assertThat(lastTs).isEqualTo(1000 + 4 * 160);

        // handoff: B starts 70 ms after A's last packet, with an unrelated SSRC, sequence and timestamp
        now += 50_000_000L;
        send(SOURCE_B, SSRC_B, 40000, 0x7654_3210, now);
        assertThat(ssrcOut()).isEqualTo(SSRC_A);
        assertThat(seqOut()).isEqualTo(105);
        assertThat(tsOut()).isEqualTo(lastTs + 70 * 8); // 70 ms at 8 kHz
        assertThat(rewriter.sourceChanges()).isEqualTo(1);

        // then B's stream keeps its own cadence through the fixed offsets
        send(SOURCE_B, SSRC_B, 40001, 0x7654_3210 + 160, now + PTIME_NANOS);
        assertThat(seqOut()).isEqualTo(106);
        assertThat(tsOut()).isEqualTo(lastTs + 560 + 160);
        assertThat(rewriter.sourceChanges()).isEqualTo(1);
    }

    @Test
    void shouldTreatNewSsrcFromSameSourceAsChange() {
        send(SOURCE_A, SSRC_A, 10, 100, 0);
        send(SOURCE_A, SSRC_B, 7, 5, PTIME_NANOS);
        assertThat(ssrcOut()).isEqualTo(SSRC_A);
        assertThat(seqOut()).isEqualTo(11);
        assertThat(tsOut()).isEqualTo(100 + 160);
        assertThat(rewriter.sourceChanges()).isEqualTo(1);
    }

    @Test
    void shouldAdvanceTimestampByAtLeastOneWhenNoTimeElapsed() {
        send(SOURCE_A, SSRC_A, 10, 100, 5_000);
        send(SOURCE_B, SSRC_B, 99, 12345, 5_000); // same instant, e.g. bicast switch in one batch
        assertThat(tsOut()).isEqualTo(101);
        send(SOURCE_A, SSRC_A, 11, 260, 4_000);   // clock went backwards: still a step of 1
        assertThat(tsOut()).isEqualTo(102);
        assertThat(seqOut()).isEqualTo(12);
    }

    @Test
    void shouldNotDivideByZeroClockRate() {
        send(SOURCE_A, SSRC_A, 10, 100, 0);
        packet.putByte(0, (byte)0x80);
        RtpHeader.ssrc(packet, 0, SSRC_B);
        rewriter.rewriteRtp(packet, 0, SOURCE_B, 1_000_000_000L, 0); // 1 s at the 8 kHz fallback
        assertThat(tsOut()).isEqualTo(100 + 8000);
        assertThat(rewriter.octetsOut()).isEqualTo(160); // this overload does not count octets
    }

    @Test
    void shouldContinueAcrossSequenceAndTimestampWrap() {
        long now = 0;
        send(SOURCE_A, SSRC_A, 65534, -320, now);
        send(SOURCE_A, SSRC_A, 65535, -160, now += PTIME_NANOS);
        send(SOURCE_B, SSRC_B, 30000, 77, now += PTIME_NANOS);
        assertThat(seqOut()).isEqualTo(0);
        assertThat(tsOut()).isEqualTo(0);
        send(SOURCE_B, SSRC_B, 30001, 77 + 160, now += PTIME_NANOS);
        assertThat(seqOut()).isEqualTo(1);
        assertThat(tsOut()).isEqualTo(160);

        // the new source itself wraps: offsets still apply modulo 2^16
        send(SOURCE_A, SSRC_A, 3, 0, now += PTIME_NANOS);
        send(SOURCE_B, SSRC_B, 65535, 500, now += PTIME_NANOS);
        final int before = seqOut();
        send(SOURCE_B, SSRC_B, 0, 660, now + PTIME_NANOS);
        assertThat(seqOut()).isEqualTo((before + 1) & 0xFFFF);
        assertThat(rewriter.sourceChanges()).isEqualTo(3);
    }

    @Test
    void shouldIgnoreLatePacketWhenChoosingNextOffsets() {
        send(SOURCE_A, SSRC_A, 10, 1600, 0);
        send(SOURCE_A, SSRC_A, 12, 1920, 2 * PTIME_NANOS);
        send(SOURCE_A, SSRC_A, 11, 1760, 2 * PTIME_NANOS); // late, reordered
        assertThat(rewriter.lastSequence()).isEqualTo(12);
        send(SOURCE_B, SSRC_B, 500, 0, 3 * PTIME_NANOS);
        assertThat(seqOut()).isEqualTo(13);
        assertThat(tsOut()).isEqualTo(1920 + 160);
    }

    @Test
    void shouldLeavePacketsUntouchedInPassthrough() {
        rewriter.passthrough(true);
        send(SOURCE_A, SSRC_A, 10, 100, 0);
        send(SOURCE_B, SSRC_B, 999, 5555, PTIME_NANOS);
        assertThat(ssrcOut()).isEqualTo(SSRC_B);
        assertThat(seqOut()).isEqualTo(999);
        assertThat(tsOut()).isEqualTo(5555);

        final UnsafeBuffer sr = bytes(RtcpHeaderTest.senderReport());
        assertThat(rewriter.rewriteRtcp(sr, 0, sr.capacity(), SOURCE_A)).isTrue();
        assertThat(sr.getInt(4, java.nio.ByteOrder.BIG_ENDIAN)).isEqualTo(0x11223344);

        // back to rewrite: continues from what the far end saw (B as identity)
        rewriter.passthrough(false);
        send(SOURCE_A, SSRC_A, 11, 260, 2 * PTIME_NANOS);
        assertThat(ssrcOut()).isEqualTo(SSRC_B);
        assertThat(seqOut()).isEqualTo(1000);
        assertThat(tsOut()).isEqualTo(5555 + 160);
    }

    @Test
    void shouldRewriteSenderReportOfCurrentSource() {
        send(SOURCE_A, SSRC_A, 10, 100, 0);
        send(SOURCE_B, 0x11223344, 50, 4000, PTIME_NANOS); // offset: 100 + 160 - 4000
        final int timestampOffset = 100 + 160 - 4000;
        assertThat(rewriter.timestampOffset()).isEqualTo(timestampOffset);

        final UnsafeBuffer sr = bytes(RtcpHeaderTest.senderReport());
        assertThat(rewriter.rewriteRtcp(sr, 0, sr.capacity(), SOURCE_B)).isTrue();

        final RtcpHeader rtcp = new RtcpHeader().wrap(sr, 0, sr.capacity());
        assertThat(rtcp.ssrc()).isEqualTo(SSRC_A);
        assertThat(rtcp.rtpTimestamp()).isEqualTo(4096 + timestampOffset);
        assertThat(rtcp.senderPacketCount()).isEqualTo(2);
        assertThat(rtcp.senderOctetCount()).isEqualTo(2 * 160);
        assertThat(rtcp.ntpTimestamp()).isEqualTo(0xE123456789ABCDEFL);
        assertThat(rtcp.reportSsrc(0)).isEqualTo(0x55667788); // about the reverse direction: untouched
    }

    @Test
    void shouldContinueRestoredSenderCountsWithoutChangingItsOwn() {
        rewriter.resume(SOURCE_A, SSRC_A, SSRC_A, 0, 0, 9, 0, 0);
        rewriter.resumeSenderCounts(1000, 160_000);
        send(SOURCE_A, SSRC_A, 10, 160, PTIME_NANOS);
        send(SOURCE_A, SSRC_A, 11, 320, 2 * PTIME_NANOS);
        assertThat(rewriter.packetsOut()).as("its own count").isEqualTo(2);
        assertThat(rewriter.senderPackets()).isEqualTo(1002);
        assertThat(rewriter.senderOctets()).isEqualTo(160_000 + 2 * 160);

        final UnsafeBuffer sr = bytes(RtcpHeaderTest.senderReport());
        assertThat(rewriter.rewriteRtcp(sr, 0, sr.capacity(), SOURCE_A)).isTrue();
        final RtcpHeader rtcp = new RtcpHeader().wrap(sr, 0, sr.capacity());
        assertThat(rtcp.senderPacketCount()).isEqualTo(1002);
        assertThat(rtcp.senderOctetCount()).isEqualTo(160_000 + 2 * 160);
    }

    @Test
    void shouldRewriteEveryPacketOfCompound() {
        send(SOURCE_A, SSRC_A, 10, 100, 0);
        send(SOURCE_B, SSRC_B, 50, 4000, PTIME_NANOS);
        final UnsafeBuffer compound = bytes(RtcpHeaderTest.receiverReportWithSdes());
        assertThat(rewriter.rewriteRtcp(compound, 0, compound.capacity(), SOURCE_B)).isTrue();
        final RtcpHeader rtcp = new RtcpHeader();
        assertThat(rtcp.wrap(compound, 0, compound.capacity()).ssrc()).isEqualTo(SSRC_A);
        assertThat(rtcp.wrap(compound, 8, compound.capacity() - 8).ssrc()).isEqualTo(SSRC_A);
    }

    @Test
    void shouldDropRtcpFromOtherSourceOrMalformed() {
        send(SOURCE_A, SSRC_A, 10, 100, 0);
        final UnsafeBuffer sr = bytes(RtcpHeaderTest.senderReport());
        assertThat(rewriter.rewriteRtcp(sr, 0, sr.capacity(), SOURCE_B)).isFalse();
        assertThat(sr.getInt(4, java.nio.ByteOrder.BIG_ENDIAN)).isEqualTo(0x11223344);
        assertThat(rewriter.rewriteRtcp(sr, 0, sr.capacity() - 4, SOURCE_A)).isFalse();
    }

    @Test
    void shouldPassRtcpBeforeAnyRtp() {
        final UnsafeBuffer sr = bytes(RtcpHeaderTest.senderReport());
        assertThat(rewriter.rewriteRtcp(sr, 0, sr.capacity(), SOURCE_A)).isTrue();
        assertThat(sr.getInt(4, java.nio.ByteOrder.BIG_ENDIAN)).isEqualTo(0x11223344);
    }
}
