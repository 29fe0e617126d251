package io.hopgate.rtp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Flyweight over one RTCP packet inside a (possibly compound) RTCP datagram (RFC 3550 section 6.4). The
 * common header and, for a sender report, the sender info and report blocks:
 *
 * <pre>
 *         0                   1                   2                   3
 *         0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * header |V=2|P|    RC   |   PT=SR=200   |     length (words - 1)        |  0
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         SSRC of sender                        |  4
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * sender |              NTP timestamp, most significant word             |  8
 * info   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |             NTP timestamp, least significant word             | 12
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         RTP timestamp                         | 16
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                     sender's packet count                     | 20
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      sender's octet count                     | 24
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * report |                 SSRC_1 (SSRC of first source)                 | 28 (SR) / 8 (RR)
 * block  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   1    | fraction lost |       cumulative number of packets lost       |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |           extended highest sequence number received           |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                      interarrival jitter                      |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                         last SR (LSR)                         |
 *        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        |                   delay since last SR (DLSR)                  |
 *        +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * </pre>
 *
 * A receiver report (201) has the same header and SSRC followed directly by the report blocks; SDES (202) and
 * BYE (203) carry SSRC/CSRC items after the header, counted by the 5 bit count field; APP (204) has the SSRC
 * then a 4 byte name. {@link #ssrc()} reads the word at offset 4, which is the sender (or first) SSRC for all of
 * them. A compound datagram is a back-to-back sequence of such packets; walk it with {@link #nextOffset()} or
 * the static {@link #packetLength(DirectBuffer, int)}, without allocating. Not thread-safe.
 */
public final class RtcpHeader {
    public static final int HEADER_LENGTH = 4;
    public static final int MIN_LENGTH_WITH_SSRC = 8;

    public static final int PT_SR = 200;
    public static final int PT_RR = 201;
    public static final int PT_SDES = 202;
    public static final int PT_BYE = 203;
    public static final int PT_APP = 204;
    public static final int PT_RTPFB = 205;
    public static final int PT_PSFB = 206;
    public static final int PT_XR = 207;

    public static final int PACKET_TYPE_OFFSET = 1;
    public static final int LENGTH_OFFSET = 2;
    public static final int SSRC_OFFSET = 4;
    public static final int NTP_TIMESTAMP_OFFSET = 8;
    public static final int RTP_TIMESTAMP_OFFSET = 16;
    public static final int SENDER_PACKET_COUNT_OFFSET = 20;
    public static final int SENDER_OCTET_COUNT_OFFSET = 24;
    public static final int SR_REPORT_BLOCKS_OFFSET = 28;
    public static final int RR_REPORT_BLOCKS_OFFSET = 8;
    public static final int REPORT_BLOCK_LENGTH = 24;
    public static final int APP_MIN_LENGTH = 12;

    private static final ByteOrder NETWORK = ByteOrder.BIG_ENDIAN;

    private MutableDirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * Points the flyweight at one RTCP packet starting at {@code offset}; {@code length} is the number of bytes
     * available from there (for a compound datagram, the rest of it). No validation.
     */
    public RtcpHeader wrap(final MutableDirectBuffer buffer, final int offset, final int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * True when the bytes look like RTCP rather than RTP: at least 8 bytes, version 2 and the second byte (the
     * packet type) in 200..204. This is the RFC 5761 section 4 rule for RTP/RTCP on one port: RTP payload types
     * 72..76 with the marker bit would collide, which is why those RTP payload types must not be used.
     */
    public static boolean isRtcp(final DirectBuffer buffer, final int offset, final int length) {
        if (length < MIN_LENGTH_WITH_SSRC) {
            return false;
        }
        final int packetType = buffer.getByte(offset + PACKET_TYPE_OFFSET) & 0xFF;
        return ((buffer.getByte(offset) & 0xC0) == 0x80) && packetType >= PT_SR && packetType <= PT_APP;
    }

    /** @return bytes of the packet at {@code offset} as its length field announces: (length + 1) * 4. */
    public static int packetLength(final DirectBuffer buffer, final int offset) {
        return ((buffer.getShort(offset + LENGTH_OFFSET, NETWORK) & 0xFFFF) + 1) << 2;
    }

    /**
     * Validates every packet of a compound RTCP datagram in {@code [offset, offset + length)}; the packets must
     * tile it exactly. Uses {@code scratch} as the flyweight so nothing is allocated.
     *
     * @return {@link RtcpValidation#OK} or the code of the first bad packet.
     */
    public static int validateCompound(
        final RtcpHeader scratch, final MutableDirectBuffer buffer, final int offset, final int length) {
        if (length < HEADER_LENGTH) {
            return RtcpValidation.TOO_SHORT;
        }
        final int end = offset + length;
        int position = offset;
        while (position < end) {
            final int code = scratch.wrap(buffer, position, end - position).validate();
            if (code != RtcpValidation.OK) {
                return code;
            }
            position += scratch.packetLength();
        }
        return RtcpValidation.OK;
    }

    /**
     * Checks version 2, that the length field fits inside the bytes available, a known packet type (200..207),
     * that the count field fits the length for SR, RR, SDES, BYE and APP, and the padding count.
     */
    public int validate() {
        if (length < HEADER_LENGTH || offset < 0 || offset > buffer.capacity() - length) {
            return RtcpValidation.TOO_SHORT;
        }
        final int flags = buffer.getByte(offset) & 0xFF;
        if ((flags >>> 6) != 2) {
            return RtcpValidation.BAD_VERSION;
        }
        final int packetLength = packetLength();
        if (packetLength > length) {
            return RtcpValidation.BAD_LENGTH;
        }
        final int packetType = packetType();
        final int count = flags & 0x1F;
        final int needed;
        switch (packetType) {
            case PT_SR: needed = SR_REPORT_BLOCKS_OFFSET + count * REPORT_BLOCK_LENGTH; break;
            case PT_RR: needed = RR_REPORT_BLOCKS_OFFSET + count * REPORT_BLOCK_LENGTH; break;
            // an SDES chunk is at least the SSRC plus one terminating zero word; BYE carries one SSRC per count
            case PT_SDES: needed = HEADER_LENGTH + count * 8; break;
            case PT_BYE: needed = HEADER_LENGTH + count * 4; break;
            case PT_APP: needed = APP_MIN_LENGTH; break;
            case PT_RTPFB:
            case PT_PSFB: needed = 12; break;
            case PT_XR: needed = MIN_LENGTH_WITH_SSRC; break;
            default: return RtcpValidation.BAD_PACKET_TYPE;
        }
        if (needed > packetLength) {
            return RtcpValidation.BAD_COUNT;
        }
        if ((flags & 0x20) != 0) {
            final int paddingCount = buffer.getByte(offset + packetLength - 1) & 0xFF;
            if (paddingCount == 0 || paddingCount > packetLength - HEADER_LENGTH) {
                return RtcpValidation.BAD_PADDING;
            }
        }
        return RtcpValidation.OK;
    }

    public int version() {
        return (buffer.getByte(offset) & 0xFF) >>> 6;
    }

    public boolean padding() {
        return (buffer.getByte(offset) & 0x20) != 0;
    }

    /** @return the 5 bit count field: report blocks for SR/RR, chunks for SDES, SSRCs for BYE, subtype for APP. */
    public int count() {
        return buffer.getByte(offset) & 0x1F;
    }

    public int packetType() {
        return buffer.getByte(offset + PACKET_TYPE_OFFSET) & 0xFF;
    }

    /** @return the raw length field: packet length in 32 bit words minus one. */
    public int lengthWords() {
        return buffer.getShort(offset + LENGTH_OFFSET, NETWORK) & 0xFFFF;
    }

    /** @return the packet length in bytes including its header, (lengthWords + 1) * 4. */
    public int packetLength() {
        return (lengthWords() + 1) << 2;
    }

    /** @return where the next packet of a compound datagram starts. */
    public int nextOffset() {
        return offset + packetLength();
    }

    /** @return the sender SSRC (SR, RR, APP, feedback) or the first SSRC/CSRC item (SDES, BYE), raw 32 bits. */
    public int ssrc() {
        return buffer.getInt(offset + SSRC_OFFSET, NETWORK);
    }

    public RtcpHeader ssrc(final int ssrc) {
        buffer.putInt(offset + SSRC_OFFSET, ssrc, NETWORK);
        return this;
    }

    /** @return SR only: the 64 bit NTP timestamp (seconds since 1900 in the high word, fraction in the low). */
    public long ntpTimestamp() {
        return buffer.getLong(offset + NTP_TIMESTAMP_OFFSET, NETWORK);
    }

    public RtcpHeader ntpTimestamp(final long ntpTimestamp) {
        buffer.putLong(offset + NTP_TIMESTAMP_OFFSET, ntpTimestamp, NETWORK);
        return this;
    }

    /** @return SR only: the RTP timestamp matching {@link #ntpTimestamp()}, raw 32 bits. */
    public int rtpTimestamp() {
        return buffer.getInt(offset + RTP_TIMESTAMP_OFFSET, NETWORK);
    }

    public RtcpHeader rtpTimestamp(final int rtpTimestamp) {
        buffer.putInt(offset + RTP_TIMESTAMP_OFFSET, rtpTimestamp, NETWORK);
        return this;
    }

    /** @return SR only: packets sent, unsigned 32 bits. */
    public long senderPacketCount() {
        return buffer.getInt(offset + SENDER_PACKET_COUNT_OFFSET, NETWORK) & 0xFFFF_FFFFL;
    }

    /** SR only; the count wraps modulo 2^32 as RFC 3550 section 6.4.1 allows. */
    public RtcpHeader senderPacketCount(final long packets) {
        buffer.putInt(offset + SENDER_PACKET_COUNT_OFFSET, (int)packets, NETWORK);
        return this;
    }

    /** @return SR only: payload octets sent, unsigned 32 bits. */
    public long senderOctetCount() {
        return buffer.getInt(offset + SENDER_OCTET_COUNT_OFFSET, NETWORK) & 0xFFFF_FFFFL;
    }

    public RtcpHeader senderOctetCount(final long octets) {
        buffer.putInt(offset + SENDER_OCTET_COUNT_OFFSET, (int)octets, NETWORK);
        return this;
    }

    /** @return SR and RR: the number of report blocks (the count field), 0 for other types. */
    public int reportBlockCount() {
        final int packetType = packetType();
        return packetType == PT_SR || packetType == PT_RR ? count() : 0;
    }

    /** @return SR and RR: the SSRC that report block {@code block} is about (SSRC_n), raw 32 bits. */
    public int reportSsrc(final int block) {
        return buffer.getInt(reportBlockOffset(block), NETWORK);
    }

    public RtcpHeader reportSsrc(final int block, final int ssrc) {
        buffer.putInt(reportBlockOffset(block), ssrc, NETWORK);
        return this;
    }

    /** @return SR and RR: the interarrival jitter of report block {@code block}, timestamp units. */
    public long reportJitter(final int block) {
        return buffer.getInt(reportBlockOffset(block) + 12, NETWORK) & 0xFFFF_FFFFL;
    }

    /** @return SR and RR: the extended highest sequence number received of report block {@code block}. */
    public long reportExtendedHighestSequence(final int block) {
        return buffer.getInt(reportBlockOffset(block) + 8, NETWORK) & 0xFFFF_FFFFL;
    }

    /** @return SR and RR: cumulative packets lost of report block {@code block}, a signed 24 bit value. */
    public int reportCumulativeLost(final int block) {
        // 24 bit two's complement: shift the sign bit up to bit 31 and back down.
        return (buffer.getInt(reportBlockOffset(block) + 4, NETWORK) << 8) >> 8;
    }

    private int reportBlockOffset(final int block) {
        final int first = packetType() == PT_SR ? SR_REPORT_BLOCKS_OFFSET : RR_REPORT_BLOCKS_OFFSET;
        return offset + first + block * REPORT_BLOCK_LENGTH;
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

    public String toString() {
        return "RtcpHeader{offset=" + offset + ", length=" + length +
            (length >= MIN_LENGTH_WITH_SSRC ? ", pt=" + packetType() + ", count=" + count() +
            ", lengthWords=" + lengthWords() + ", ssrc=" + Integer.toHexString(ssrc()) : "") + '}';
    }
}
