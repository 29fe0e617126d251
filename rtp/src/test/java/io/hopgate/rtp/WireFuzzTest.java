package io.hopgate.rtp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.agrona.concurrent.UnsafeBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the RTP and RTCP validators (docs/architecture.md section 5.2: no exception escapes a
 * parser of
 * outside input). Under plain {@code mvn verify} Jazzer only replays the regression inputs; run with
 * {@code JAZZER_FUZZ=1} to fuzz.
 */
class WireFuzzTest {
    private final RtpHeader rtp = new RtpHeader();
    private final RtcpHeader rtcp = new RtcpHeader();
    private final EgressRewriter rewriter = new EgressRewriter();

    @FuzzTest(maxDuration = "30s")
    void shouldValidateAnyRtpBytesWithoutThrowing(final byte[] data) {
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        final int code = rtp.wrap(buffer, 0, data.length).validate();
        assertThat(code).isBetween(0, RtpValidation.CODE_COUNT - 1);
        if (code == RtpValidation.OK) {
            assertThat(rtp.payloadOffset() + rtp.payloadLength()).isLessThanOrEqualTo(data.length);
            assertThat(rtp.payloadLength()).isNotNegative();
            rewriter.rewriteRtp(buffer, 0, data.length, data.length & 3, data.length * 20_000_000L, 8000);
            assertThat(rtp.validate()).isEqualTo(RtpValidation.OK); // rewriting never breaks a valid header
        }
    }

    @FuzzTest(maxDuration = "30s")
    void shouldValidateAnyRtcpBytesWithoutThrowing(final byte[] data) {
        final UnsafeBuffer buffer = new UnsafeBuffer(data);
        final int code = RtcpHeader.validateCompound(rtcp, buffer, 0, data.length);
        assertThat(code).isBetween(0, RtcpValidation.CODE_COUNT - 1);
        RtcpHeader.isRtcp(buffer, 0, data.length);
        if (data.length >= RtpHeader.MIN_LENGTH) {
            final RtpHeader header = new RtpHeader();
            header.wrap(new UnsafeBuffer(new byte[12]), 0, 12).buffer().putByte(0, (byte)0x80);
            rewriter.rewriteRtp(header.buffer(), 0, 12, 1, 0, 8000);
            final boolean send = rewriter.rewriteRtcp(buffer, 0, data.length, 1);
            assertThat(send).isEqualTo(code == RtcpValidation.OK);
        }
    }
}
