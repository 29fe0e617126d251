package io.hopgate.rtp;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RtpHeaderTest {
    private final RtpHeader header = new RtpHeader();

    static UnsafeBuffer bytes(final int... values) {
        final byte[] array = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            array[i] = (byte)values[i];
        }
        return new UnsafeBuffer(array);
    }

    private RtpHeader wrap(final UnsafeBuffer buffer) {
        return header.wrap(buffer, 0, buffer.capacity());
    }

    @Test
    void shouldDecodeMinimalPcmuPacket() {
        final UnsafeBuffer buffer = bytes(
            0x80, 0x00, 0x12, 0x34,  // V=2 P=0 X=0 CC=0 | M=0 PT=0 (PCMU) | seq 0x1234
            0xDE, 0xAD, 0xBE, 0xEF,  // timestamp 0xDEADBEEF
            0x01, 0x02, 0x03, 0x04,  // SSRC 0x01020304
            0xFF, 0xFF, 0xFF, 0xFF); // 4 payload bytes

        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.OK);
        assertThat(header.version()).isEqualTo(2);
        assertThat(header.padding()).isFalse();
        assertThat(header.extension()).isFalse();
        assertThat(header.csrcCount()).isZero();
        assertThat(header.marker()).isFalse();
        assertThat(header.payloadType()).isZero();
        assertThat(header.sequence()).isEqualTo(0x1234);
        assertThat(header.timestamp()).isEqualTo(0xDEADBEEF);
        assertThat(header.ssrc()).isEqualTo(0x01020304);
        assertThat(header.headerLength()).isEqualTo(12);
        assertThat(header.payloadOffset()).isEqualTo(12);
        assertThat(header.payloadLength()).isEqualTo(4);
    }

    @Test
    void shouldDecodeMarkerAndHighSequence() {
        final UnsafeBuffer buffer = bytes(
            0x80, 0xE0, 0xFF, 0xFF,  // V=2 | M=1 PT=96 | seq 65535
            0x00, 0x00, 0x00, 0xA0,  // timestamp 160
            0xCA, 0xFE, 0xBA, 0xBE); // SSRC, no payload

        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.OK);
        assertThat(header.marker()).isTrue();
        assertThat(header.payloadType()).isEqualTo(96);
        assertThat(header.sequence()).isEqualTo(65535);
        assertThat(header.ssrc()).isEqualTo(0xCAFEBABE);
        assertThat(header.payloadLength()).isZero();
    }

    @Test
    void shouldDecodeCsrcList() {
        final UnsafeBuffer buffer = bytes(
            0x82, 0x08, 0x00, 0x01,  // V=2 CC=2 | PT=8 (PCMA) | seq 1
            0x00, 0x00, 0x00, 0x00,  // timestamp 0
            0x00, 0x00, 0x00, 0x01,  // SSRC 1
            0x11, 0x11, 0x11, 0x11,  // CSRC[0]
            0x22, 0x22, 0x22, 0x22,  // CSRC[1]
            0x55, 0x55);             // 2 payload bytes

        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.OK);
        assertThat(header.csrcCount()).isEqualTo(2);
        assertThat(header.csrc(0)).isEqualTo(0x11111111);
        assertThat(header.csrc(1)).isEqualTo(0x22222222);
        assertThat(header.headerLength()).isEqualTo(20);
        assertThat(header.payloadOffset()).isEqualTo(20);
        assertThat(header.payloadLength()).isEqualTo(2);
    }

    @Test
    void shouldDecodeHeaderExtensionAfterCsrc() {
        final UnsafeBuffer buffer = bytes(
            0x91, 0x00, 0x00, 0x02,  // V=2 X=1 CC=1 | PT=0 | seq 2
            0x00, 0x00, 0x01, 0x40,  // timestamp 320
            0x00, 0x00, 0x00, 0x07,  // SSRC 7
            0x33, 0x33, 0x33, 0x33,  // CSRC[0]
            0xBE, 0xDE, 0x00, 0x01,  // extension profile 0xBEDE (RFC 8285 one-byte), 1 word
            0x10, 0xAA, 0x00, 0x00,  // extension word
            0x01, 0x02, 0x03);       // 3 payload bytes

        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.OK);
        assertThat(header.extension()).isTrue();
        assertThat(header.extensionProfile()).isEqualTo(0xBEDE);
        assertThat(header.extensionLengthWords()).isEqualTo(1);
        assertThat(header.headerLength()).isEqualTo(12 + 4 + 4 + 4);
        assertThat(header.payloadOffset()).isEqualTo(24);
        assertThat(header.payloadLength()).isEqualTo(3);
    }

    @Test
    void shouldExcludePaddingFromPayload() {
        final UnsafeBuffer buffer = bytes(
            0xA0, 0x00, 0x00, 0x03,  // V=2 P=1 | PT=0 | seq 3
            0x00, 0x00, 0x00, 0x00,  // timestamp
            0x00, 0x00, 0x00, 0x09,  // SSRC
            0x7F, 0x7F, 0x7F,        // 3 payload bytes
            0x00, 0x00, 0x03);       // 3 padding bytes, the last holds the count

        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.OK);
        assertThat(header.padding()).isTrue();
        assertThat(header.payloadLength()).isEqualTo(3);
    }

    @Test
    void shouldRejectShortPacket() {
        final UnsafeBuffer buffer = bytes(0x80, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0); // 11 bytes
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.TOO_SHORT);
    }

    @Test
    void shouldRejectViewOutsideBuffer() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        buffer.putByte(4, (byte)0x80);
        assertThat(header.wrap(buffer, 4, 14).validate()).isEqualTo(RtpValidation.TOO_SHORT);
    }

    @Test
    void shouldRejectVersionOther2() {
        final UnsafeBuffer buffer = bytes(
            0x40, 0x00, 0x00, 0x01,  // V=1
            0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_VERSION);
        buffer.putByte(0, (byte)0xC0); // V=3
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_VERSION);
    }

    @Test
    void shouldRejectCsrcListLongerThanPacket() {
        final UnsafeBuffer buffer = bytes(
            0x83, 0x00, 0x00, 0x01,  // CC=3 announces 12 bytes of CSRC
            0, 0, 0, 0, 0, 0, 0, 0,
            0x11, 0x11, 0x11, 0x11,  // only 1 CSRC present
            0x22, 0x22, 0x22, 0x22); // and a second: still one short
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_CSRC_LENGTH);
    }

    @Test
    void shouldRejectExtensionHeaderMissing() {
        final UnsafeBuffer buffer = bytes(
            0x90, 0x00, 0x00, 0x01,  // X=1 but nothing follows the fixed header
            0, 0, 0, 0, 0, 0, 0, 0);
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_EXTENSION_LENGTH);
    }

    @Test
    void shouldRejectExtensionLongerThanPacket() {
        final UnsafeBuffer buffer = bytes(
            0x90, 0x00, 0x00, 0x01,  // X=1
            0, 0, 0, 0, 0, 0, 0, 0,
            0xBE, 0xDE, 0x00, 0x02,  // 2 words announced
            0x00, 0x00, 0x00, 0x00); // 1 word present
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_EXTENSION_LENGTH);
    }

    @Test
    void shouldRejectZeroPaddingCount() {
        final UnsafeBuffer buffer = bytes(
            0xA0, 0x00, 0x00, 0x01,  // P=1
            0, 0, 0, 0, 0, 0, 0, 0,
            0x01, 0x00);             // padding count 0 is not allowed
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_PADDING);
    }

    @Test
    void shouldRejectPaddingLongerThanPayload() {
        final UnsafeBuffer buffer = bytes(
            0xA0, 0x00, 0x00, 0x01,  // P=1
            0, 0, 0, 0, 0, 0, 0, 0,
            0x01, 0x03);             // count 3 but only 2 bytes after the header
        assertThat(wrap(buffer).validate()).isEqualTo(RtpValidation.BAD_PADDING);
    }

    @Test
    void shouldDescribeEveryCode() {
        for (int code = 0; code < RtpValidation.CODE_COUNT; code++) {
            assertThat(RtpValidation.describe(code)).isNotBlank().doesNotStartWith("unknown");
        }
        assertThat(RtpValidation.describe(99)).contains("99");
    }

    @Test
    void shouldRoundTripSetters() {
        final UnsafeBuffer buffer = bytes(
            0x80, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00);
        wrap(buffer).sequence(65535).timestamp(0xFFFFFFFF).ssrc(0x80000001).marker(true).payloadType(101);

        assertThat(header.sequence()).isEqualTo(65535);
        assertThat(header.timestamp()).isEqualTo(0xFFFFFFFF);
        assertThat(header.ssrc()).isEqualTo(0x80000001);
        assertThat(header.marker()).isTrue();
        assertThat(header.payloadType()).isEqualTo(101);
        assertThat(buffer.getByte(1)).isEqualTo((byte)(0x80 | 101));

        header.marker(false).sequence(0x10001); // only the low 16 bits fit
        assertThat(header.marker()).isFalse();
        assertThat(header.payloadType()).isEqualTo(101);
        assertThat(header.sequence()).isEqualTo(1);
        assertThat(header.validate()).isEqualTo(RtpValidation.OK);
    }

    @Test
    void shouldMatchStaticTwinsAtOffset() {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        RtpHeader.sequence(buffer, 20, 4242);
        RtpHeader.timestamp(buffer, 20, -5);
        RtpHeader.ssrc(buffer, 20, 77);
        header.wrap(buffer, 20, 12);

        assertThat(header.sequence()).isEqualTo(4242).isEqualTo(RtpHeader.sequence(buffer, 20));
        assertThat(header.timestamp()).isEqualTo(-5).isEqualTo(RtpHeader.timestamp(buffer, 20));
        assertThat(header.ssrc()).isEqualTo(77).isEqualTo(RtpHeader.ssrc(buffer, 20));
        assertThat(header.buffer()).isSameAs(buffer);
        assertThat(header.offset()).isEqualTo(20);
        assertThat(header.length()).isEqualTo(12);
        assertThat(buffer.getByte(22)).isEqualTo((byte)(4242 >> 8));
    }

    @Test
    void shouldNeverThrowOnRandomBytes() {
        final Random random = new Random(0x5EED_0001L);
        final byte[] array = new byte[256];
        final UnsafeBuffer buffer = new UnsafeBuffer(array);
        int ok = 0;
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(array);
            if (random.nextBoolean()) {
                array[0] = (byte)((array[0] & 0x3F) | 0x80); // mostly version 2, to reach the deeper checks
            }
            final int offset = random.nextInt(32);
            final int length = random.nextInt(array.length - offset + 1);
            final int code = header.wrap(buffer, offset, length).validate();
            assertThat(code).isBetween(0, RtpValidation.CODE_COUNT - 1);
            if (code == RtpValidation.OK) {
                ok++;
                assertThat(header.payloadLength()).isBetween(0, length - RtpHeader.MIN_LENGTH);
                assertThat(header.payloadOffset() + header.payloadLength()).isLessThanOrEqualTo(offset + length);
            }
        }
        assertThat(ok).isPositive();
    }
}
