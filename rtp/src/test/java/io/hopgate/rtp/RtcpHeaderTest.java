package io.hopgate.rtp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.hopgate.rtp.RtpHeaderTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;

class RtcpHeaderTest {
    private final RtcpHeader rtcp = new RtcpHeader();

    static int[] senderReport() {
        return new int[] {
            0x81, 0xC8, 0x00, 0x0C,  // V=2 P=0 RC=1 | PT=200 SR | length 12 words (52 bytes)
            0x11, 0x22, 0x33, 0x44,  // sender SSRC
            0xE1, 0x23, 0x45, 0x67,  // NTP timestamp, seconds
            0x89, 0xAB, 0xCD, 0xEF,  // NTP timestamp, fraction
            0x00, 0x00, 0x10, 0x00,  // RTP timestamp 4096
            0x00, 0x00, 0x00, 0x64,  // sender's packet count 100
            0x00, 0x00, 0x3E, 0x80,  // sender's octet count 16000
            0x55, 0x66, 0x77, 0x88,  // report block 1: SSRC_1
            0x10, 0xFF, 0xFF, 0xFE,  // fraction lost 16/256 | cumulative lost -2 (24 bit signed)
            0x00, 0x01, 0x00, 0x05,  // extended highest sequence 65541 (1 cycle, seq 5)
            0x00, 0x00, 0x00, 0x20,  // jitter 32
            0x45, 0x67, 0x89, 0x01,  // LSR
            0x00, 0x01, 0x00, 0x00,  // DLSR 1 s
        };
    }

    static int[] receiverReportWithSdes() {
        return new int[] {
            0x80, 0xC9, 0x00, 0x01,  // V=2 RC=0 | PT=201 RR | length 1 word (8 bytes)
            0x0A, 0x0B, 0x0C, 0x0D,  // sender SSRC
            0x81, 0xCA, 0x00, 0x03,  // V=2 SC=1 | PT=202 SDES | length 3 (16 bytes)
            0x0A, 0x0B, 0x0C, 0x0D,  // chunk 1 SSRC
            0x01, 0x04, 'h', 'o',    // CNAME, 4 bytes
            's', 't', 0x00, 0x00,    // end of items, pad to a word
        };
    }

    @Test
    void shouldDecodeSenderReport() {
        final UnsafeBuffer buffer = bytes(senderReport());
        rtcp.wrap(buffer, 0, buffer.capacity());

        assertThat(rtcp.validate()).isEqualTo(RtcpValidation.OK);
        assertThat(rtcp.version()).isEqualTo(2);
        assertThat(rtcp.padding()).isFalse();
        assertThat(rtcp.packetType()).isEqualTo(RtcpHeader.PT_SR);
        assertThat(rtcp.count()).isEqualTo(1);
        assertThat(rtcp.lengthWords()).isEqualTo(12);
        assertThat(rtcp.packetLength()).isEqualTo(52);
        assertThat(rtcp.ssrc()).isEqualTo(0x11223344);
        assertThat(rtcp.ntpTimestamp()).isEqualTo(0xE123456789ABCDEFL);
        assertThat(rtcp.rtpTimestamp()).isEqualTo(4096);
        assertThat(rtcp.senderPacketCount()).isEqualTo(100);
        assertThat(rtcp.senderOctetCount()).isEqualTo(16000);
        assertThat(rtcp.reportBlockCount()).isEqualTo(1);
        assertThat(rtcp.reportSsrc(0)).isEqualTo(0x55667788);
        assertThat(rtcp.reportCumulativeLost(0)).isEqualTo(-2);
        assertThat(rtcp.reportExtendedHighestSequence(0)).isEqualTo(65541);
        assertThat(rtcp.reportJitter(0)).isEqualTo(32);
        assertThat(rtcp.nextOffset()).isEqualTo(52);
    }

    @Test
    void shouldRoundTripSenderReportSetters() {
        final UnsafeBuffer buffer = bytes(senderReport());
        rtcp.wrap(buffer, 0, buffer.capacity())
            .ssrc(0xCAFEBABE)
            .rtpTimestamp(-1)
            .senderPacketCount(0xFFFF_FFFFL)
            .senderOctetCount(1L << 32 | 7) // wraps modulo 2^32
            .reportSsrc(0, 0x01020304)
            .ntpTimestamp(42L);

        assertThat(rtcp.ssrc()).isEqualTo(0xCAFEBABE);
        assertThat(rtcp.rtpTimestamp()).isEqualTo(-1);
        assertThat(rtcp.senderPacketCount()).isEqualTo(0xFFFF_FFFFL);
        assertThat(rtcp.senderOctetCount()).isEqualTo(7);
        assertThat(rtcp.reportSsrc(0)).isEqualTo(0x01020304);
        assertThat(rtcp.ntpTimestamp()).isEqualTo(42L);
        assertThat(rtcp.validate()).isEqualTo(RtcpValidation.OK);
    }

    @Test
    void shouldWalkCompoundReceiverReportAndSdes() {
        final UnsafeBuffer buffer = bytes(receiverReportWithSdes());
        assertThat(RtcpHeader.validateCompound(rtcp, buffer, 0, buffer.capacity())).isEqualTo(RtcpValidation.OK);

        rtcp.wrap(buffer, 0, buffer.capacity());
        assertThat(rtcp.packetType()).isEqualTo(RtcpHeader.PT_RR);
        assertThat(rtcp.reportBlockCount()).isZero();
        assertThat(rtcp.ssrc()).isEqualTo(0x0A0B0C0D);
        assertThat(rtcp.nextOffset()).isEqualTo(8).isEqualTo(RtcpHeader.packetLength(buffer, 0));

        rtcp.wrap(buffer, 8, buffer.capacity() - 8);
        assertThat(rtcp.validate()).isEqualTo(RtcpValidation.OK);
        assertThat(rtcp.packetType()).isEqualTo(RtcpHeader.PT_SDES);
        assertThat(rtcp.count()).isEqualTo(1);
        assertThat(rtcp.nextOffset()).isEqualTo(buffer.capacity());
    }

    @Test
    void shouldRejectCompoundWhoseLastPacketIsTruncated() {
        final int[] fixture = receiverReportWithSdes();
        final UnsafeBuffer buffer = bytes(fixture);
        assertThat(RtcpHeader.validateCompound(rtcp, buffer, 0, fixture.length - 4))
            .isEqualTo(RtcpValidation.BAD_LENGTH);
        assertThat(RtcpHeader.validateCompound(rtcp, buffer, 0, 2)).isEqualTo(RtcpValidation.TOO_SHORT);
    }

    @Test
    void shouldClassifyRtcpPacketTypes() {
        for (int packetType = 200; packetType <= 204; packetType++) {
            final UnsafeBuffer buffer = bytes(0x80, packetType, 0x00, 0x01, 0, 0, 0, 1);
            assertThat(RtcpHeader.isRtcp(buffer, 0, 8)).as("PT %d", packetType).isTrue();
        }
    }

    @Test
    void shouldNotClassifyRtpAsRtcp() {
        final UnsafeBuffer pcmu = bytes(0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1);         // PT 0
        final UnsafeBuffer pcmaMarker = bytes(0x80, 0x88, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1);   // M=1 PT 8
        final UnsafeBuffer dynamicMarker = bytes(0x80, 0xE0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1); // M=1 PT 96
        final UnsafeBuffer feedback = bytes(0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2);      // RTPFB: not 200..204

        assertThat(RtcpHeader.isRtcp(pcmu, 0, 12)).isFalse();
        assertThat(RtcpHeader.isRtcp(pcmaMarker, 0, 12)).isFalse();
        assertThat(RtcpHeader.isRtcp(dynamicMarker, 0, 12)).isFalse();
        assertThat(RtcpHeader.isRtcp(feedback, 0, 12)).isFalse();
    }

    @Test
    void shouldNotClassifyShortOrWrongVersionAsRtcp() {
        assertThat(RtcpHeader.isRtcp(bytes(0x80, 200, 0, 0, 0, 0, 0), 0, 7)).isFalse();
        assertThat(RtcpHeader.isRtcp(bytes(0x40, 200, 0, 1, 0, 0, 0, 0), 0, 8)).isFalse();
    }

    @Test
    void shouldReportEveryValidationFailure() {
        assertThat(validate(0x80, 0xC9, 0x00)).isEqualTo(RtcpValidation.TOO_SHORT);
        assertThat(validate(0x40, 0xC9, 0x00, 0x01, 0, 0, 0, 0)).isEqualTo(RtcpValidation.BAD_VERSION);
        // length 2 words = 12 bytes announced, 8 present
        assertThat(validate(0x80, 0xC9, 0x00, 0x02, 0, 0, 0, 0)).isEqualTo(RtcpValidation.BAD_LENGTH);
        // PT 199 is not RTCP
        assertThat(validate(0x80, 0xC7, 0x00, 0x01, 0, 0, 0, 0)).isEqualTo(RtcpValidation.BAD_PACKET_TYPE);
        // RR with RC=2 needs 56 bytes, length says 8
        assertThat(validate(0x82, 0xC9, 0x00, 0x01, 0, 0, 0, 0)).isEqualTo(RtcpValidation.BAD_COUNT);
        // SR without sender info
        assertThat(validate(0x80, 0xC8, 0x00, 0x01, 0, 0, 0, 0)).isEqualTo(RtcpValidation.BAD_COUNT);
        // P=1 with padding count 0, then with count 9 > body of 8
        assertThat(validate(0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0)).isEqualTo(RtcpValidation.BAD_PADDING);
        assertThat(validate(0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 9)).isEqualTo(RtcpValidation.BAD_PADDING);
        // and the same with a sane count of 4 passes
        assertThat(validate(0xA0, 0xC9, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4)).isEqualTo(RtcpValidation.OK);
        // BYE with no SSRC is legal and 4 bytes long
        assertThat(validate(0x80, 0xCB, 0x00, 0x00)).isEqualTo(RtcpValidation.OK);
        for (int code = 0; code < RtcpValidation.CODE_COUNT; code++) {
            if (code != 3 && code != 4) {
                assertThat(RtcpValidation.describe(code)).doesNotStartWith("unknown");
            }
        }
    }

    private int validate(final int... fixture) {
        final UnsafeBuffer buffer = bytes(fixture);
        return rtcp.wrap(buffer, 0, buffer.capacity()).validate();
    }

    @Test
    void shouldNeverThrowOnRandomBytes() {
        final Random random = new Random(0x5EED_0002L);
        final byte[] array = new byte[128];
        final UnsafeBuffer buffer = new UnsafeBuffer(array);
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(array);
            array[0] = (byte)((array[0] & 0x3F) | 0x80);
            array[1] = (byte)(195 + random.nextInt(16));
            array[2] = 0;
            array[3] = (byte)random.nextInt(40);
            final int length = random.nextInt(array.length + 1);
            final int code = RtcpHeader.validateCompound(rtcp, buffer, 0, length);
            assertThat(code).isBetween(0, RtcpValidation.CODE_COUNT - 1);
            RtcpHeader.isRtcp(buffer, 0, length);
        }
    }
}
