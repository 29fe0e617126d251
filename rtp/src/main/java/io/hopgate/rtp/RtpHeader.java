package io.hopgate.rtp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over an RTP fixed header and what follows it (RFC 3550 section 5.1). One instance is re-wrapped
 * per datagram; it never allocates. Fields are network byte order.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           timestamp                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           synchronization source (SSRC) identifier            |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |            contributing source (CSRC) identifiers             |
 * |                    (CC entries of 4 bytes)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      defined by profile       |      length (32-bit words)    |  only if X=1 (section 5.3.1)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      header extension ...                     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          payload ...                          |
 * |                               +-------------------------------+
 * |                               | padding ...   | padding count |  only if P=1; count includes itself
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #wrap} does not check anything; call {@link #validate()} before trusting the variable-length
 * accessors ({@link #headerLength()}, {@link #payloadOffset()}, {@link #payloadLength()}, {@link #csrc(int)}).
 * Not thread-safe: one instance per I/O thread.
 */
public final class RtpHeader {
    public static final int MIN_LENGTH = 12;
    public static final int VERSION = 2;

    public static final int FLAGS_OFFSET = 0;
    public static final int MARKER_PT_OFFSET = 1;
    public static final int SEQUENCE_OFFSET = 2;
    public static final int TIMESTAMP_OFFSET = 4;
    public static final int SSRC_OFFSET = 8;
    public static final int CSRC_OFFSET = 12;
    public static final int EXTENSION_HEADER_LENGTH = 4;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;
    private int length;

    /** Points the flyweight at {@code length} bytes of {@code buffer} from {@code offset}. No validation. */
    public RtpHeader wrap(final MutableDirectBuffer buffer, final int offset, final int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * Checks that the header is RTP version 2 and that everything the header announces lies inside
     * {@link #length()}: the CSRC list, the extension and the padding.
     *
     * @return {@link RtpValidation#OK} or the first failing reason code.
     */
    public int validate() {
        // The view itself must lie inside the buffer, or the reads below would go out of bounds.
        if (length < MIN_LENGTH || offset < 0 || offset > buffer.capacity() - length) {
            return RtpValidation.TOO_SHORT;
        }

        final int flags = buffer.getByte(offset) & 0xFF;
        if ((flags >>> 6) != VERSION) {
            return RtpValidation.BAD_VERSION;
        }

        int headerLength = CSRC_OFFSET + ((flags & 0x0F) << 2);
        if (headerLength > length) {
            return RtpValidation.BAD_CSRC_LENGTH;
        }

        if ((flags & 0x10) != 0) {
            if (headerLength + EXTENSION_HEADER_LENGTH > length) {
                return RtpValidation.BAD_EXTENSION_LENGTH;
            }
            final int words = buffer.getShort(offset + headerLength + 2, NETWORK) & 0xFFFF;
            headerLength += EXTENSION_HEADER_LENGTH + (words << 2);
            if (headerLength > length) {
                return RtpValidation.BAD_EXTENSION_LENGTH;
            }
        }

        if ((flags & 0x20) != 0) {
            final int paddingCount = buffer.getByte(offset + length - 1) & 0xFF;
            if (paddingCount == 0 || paddingCount > length - headerLength) {
                return RtpValidation.BAD_PADDING;
            }
        }

        return RtpValidation.OK;
    }

    public int version() {
        return (buffer.getByte(offset) & 0xFF) >>> 6;
    }

    public boolean padding() {
        return (buffer.getByte(offset) & 0x20) != 0;
    }

    public boolean extension() {
        return (buffer.getByte(offset) & 0x10) != 0;
    }

    public int csrcCount() {
        return buffer.getByte(offset) & 0x0F;
    }

    public boolean marker() {
        return (buffer.getByte(offset + MARKER_PT_OFFSET) & 0x80) != 0;
    }

    public RtpHeader marker(final boolean marker) {
        final int index = offset + MARKER_PT_OFFSET;
        final int b = buffer.getByte(index);
        buffer.putByte(index, (byte)(marker ? (b | 0x80) : (b & 0x7F)));
        return this;
    }

    public int payloadType() {
        return buffer.getByte(offset + MARKER_PT_OFFSET) & 0x7F;
    }

    public RtpHeader payloadType(final int payloadType) {
        final int index = offset + MARKER_PT_OFFSET;
        buffer.putByte(index, (byte)((buffer.getByte(index) & 0x80) | (payloadType & 0x7F)));
        return this;
    }

    /** @return the sequence number, 0..65535. */
    public int sequence() {
        return sequence(buffer, offset);
    }

    public RtpHeader sequence(final int sequence) {
        sequence(buffer, offset, sequence);
        return this;
    }

    /** @return the timestamp as raw 32 bits; compare with {@code Integer.compareUnsigned} or subtraction. */
    public int timestamp() {
        return timestamp(buffer, offset);
    }

    public RtpHeader timestamp(final int timestamp) {
        timestamp(buffer, offset, timestamp);
        return this;
    }

    /** @return the SSRC as raw 32 bits. */
    public int ssrc() {
        return ssrc(buffer, offset);
    }

    public RtpHeader ssrc(final int ssrc) {
        ssrc(buffer, offset, ssrc);
        return this;
    }

    /** @return the CSRC at {@code index} (0 based, below {@link #csrcCount()}), raw 32 bits. */
    public int csrc(final int index) {
        return buffer.getInt(offset + CSRC_OFFSET + (index << 2), NETWORK);
    }

    /** @return 12 + 4 * CC + (X ? 4 + 4 * extension length : 0). Trust it only after {@link #validate()}. */
    public int headerLength() {
        int headerLength = CSRC_OFFSET + (csrcCount() << 2);
        if (extension()) {
            headerLength += EXTENSION_HEADER_LENGTH +
                ((buffer.getShort(offset + headerLength + 2, NETWORK) & 0xFFFF) << 2);
        }
        return headerLength;
    }

    /** @return the 16 bit "defined by profile" field of the extension header; 0 when X is not set. */
    public int extensionProfile() {
        return extension() ? buffer.getShort(offset + CSRC_OFFSET + (csrcCount() << 2), NETWORK) & 0xFFFF : 0;
    }

    /** @return the extension length in 32 bit words, excluding its 4 byte header; 0 when X is not set. */
    public int extensionLengthWords() {
        return extension() ? buffer.getShort(offset + CSRC_OFFSET + (csrcCount() << 2) + 2, NETWORK) & 0xFFFF : 0;
    }

    /** @return absolute index in {@link #buffer()} where the payload starts. */
    public int payloadOffset() {
        return offset + headerLength();
    }

    /** @return payload bytes, excluding header, extension and padding. */
    public int payloadLength() {
        final int paddingCount = padding() ? buffer.getByte(offset + length - 1) & 0xFF : 0;
        return length - headerLength() - paddingCount;
    }

    public MutableDirectBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public static int sequence(final DirectBuffer buffer, final int offset) {
        return buffer.getShort(offset + SEQUENCE_OFFSET, NETWORK) & 0xFFFF;
    }

    public static void sequence(final MutableDirectBuffer buffer, final int offset, final int sequence) {
        buffer.putShort(offset + SEQUENCE_OFFSET, (short)sequence, NETWORK);
    }

    public static int timestamp(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + TIMESTAMP_OFFSET, NETWORK);
    }

    public static void timestamp(final MutableDirectBuffer buffer, final int offset, final int timestamp) {
        buffer.putInt(offset + TIMESTAMP_OFFSET, timestamp, NETWORK);
    }

    public static int ssrc(final DirectBuffer buffer, final int offset) {
        return buffer.getInt(offset + SSRC_OFFSET, NETWORK);
    }

    public static void ssrc(final MutableDirectBuffer buffer, final int offset, final int ssrc) {
        buffer.putInt(offset + SSRC_OFFSET, ssrc, NETWORK);
    }

    public String toString() {
        // Diagnostics only, never on the hot path.
        return "RtpHeader{offset=" + offset + ", length=" + length +
            (length >= MIN_LENGTH ? ", pt=" + payloadType() + ", seq=" + sequence() +
            ", ts=" + Integer.toUnsignedString(timestamp()) + ", ssrc=" + Integer.toHexString(ssrc()) : "") + '}';
    }
}
