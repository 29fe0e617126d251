package io.hopgate.rtp;

import org.agrona.MutableDirectBuffer;

/**
 * Egress continuity for one termination (docs/architecture.md section 1.3): whatever ingress feeds this termination,
 * the far end
 * sees one SSRC, consecutive sequence numbers and timestamps that advance with wall time, so its jitter buffer
 * never sees a jump when the source changes (handoff, move, bicast switch).
 *
 * <p>While one source (ingress termination id plus its SSRC) feeds it, the sequence and timestamp offsets stay
 * fixed; for the very first source they are zero and the output SSRC is that source's SSRC (identity). When the
 * source changes, the offsets are recomputed once from the last packet sent: next sequence = last + 1, next
 * timestamp = last + max(1, wall time elapsed * clock rate). Each packet then costs two adds and three stores.
 *
 * <p>Threading: one instance per egress termination, owned by the I/O thread that sends on it. Not thread-safe;
 * changes of mode ({@link #passthrough(boolean)}) must be made on that thread too (e.g. from its command queue).
 * Allocation-free.
 */
public final class EgressRewriter {
    public static final int DEFAULT_CLOCK_RATE = 8000;

    private final RtcpHeader rtcp = new RtcpHeader();

    private boolean passthrough;
    private boolean hasSource;
    private int sourceId;
    private int sourceSsrc;
    private int outputSsrc;
    private int sequenceOffset;
    private int timestampOffset;
    private int lastSequence;
    private int lastTimestamp;
    private long lastOutputNanos;
    private long packetsOut;
    private long octetsOut;
    /** What this stream's predecessor had sent before a gateway restart: added to the counts of a sender report. */
    private long packetsBefore;
    private long octetsBefore;
    private int sourceChanges;

    public EgressRewriter() {
    }

    /**
     * {@code media.continuity=passthrough}: packets leave untouched. The rewriter still follows the stream as
     * identity so that switching back to rewrite continues from what the far end actually saw.
     */
    public void passthrough(final boolean on) {
        passthrough = on;
    }

    public boolean passthrough() {
        return passthrough;
    }

    /**
     * Rewrites the RTP header at {@code offset} in place without counting payload octets; use
     * {@link #rewriteRtp(MutableDirectBuffer, int, int, int, long, int)} when sender reports must carry octet
     * counts. The header must have been validated.
     */
    public void rewriteRtp(
        final MutableDirectBuffer buffer, final int offset, final int sourceId, final long nowNanos,
        final int clockRate) {
        rewrite(buffer, offset, 0, sourceId, nowNanos, clockRate);
    }

    /**
     * Rewrites the RTP header at {@code offset} in place and counts its payload octets (length minus header and
     * padding, as RFC 3550 section 6.4.1 defines the sender's octet count). The header must have been validated
     * over {@code length} bytes.
     */
    public void rewriteRtp(
        final MutableDirectBuffer buffer, final int offset, final int length, final int sourceId,
        final long nowNanos, final int clockRate) {
        rewrite(buffer, offset, payloadOctets(buffer, offset, length), sourceId, nowNanos, clockRate);
    }

    private void rewrite(
        final MutableDirectBuffer buffer, final int offset, final int payloadOctets, final int sourceId,
        final long nowNanos, final int clockRate) {
        final int inSsrc = RtpHeader.ssrc(buffer, offset);
        final int inSequence = RtpHeader.sequence(buffer, offset);
        final int inTimestamp = RtpHeader.timestamp(buffer, offset);

        if (!hasSource || passthrough) {
            if (!hasSource || sourceId != this.sourceId || inSsrc != sourceSsrc || outputSsrc != inSsrc ||
                sequenceOffset != 0 || timestampOffset != 0) {
                // identity: what the far end sees is exactly the input
                hasSource = true;
                this.sourceId = sourceId;
                sourceSsrc = inSsrc;
                outputSsrc = inSsrc;
                sequenceOffset = 0;
                timestampOffset = 0;
                lastSequence = inSequence;
                lastTimestamp = inTimestamp;
                lastOutputNanos = nowNanos;
            }
        } else if (sourceId != this.sourceId || inSsrc != sourceSsrc) {
            final int rate = clockRate > 0 ? clockRate : DEFAULT_CLOCK_RATE;
            final long elapsedNanos = nowNanos - lastOutputNanos;
            final long elapsedUnits = elapsedNanos > 0 ? ReceptionStatistics.toUnits(elapsedNanos, rate) : 0;
            // int cast wraps modulo 2^32 exactly like the RTP timestamp does
            final int step = (int)Math.max(1L, elapsedUnits);
            this.sourceId = sourceId;
            sourceSsrc = inSsrc;
            sequenceOffset = (lastSequence + 1 - inSequence) & 0xFFFF;
            timestampOffset = lastTimestamp + step - inTimestamp;
            sourceChanges++;
        }

        final int outSequence = (inSequence + sequenceOffset) & 0xFFFF;
        final int outTimestamp = inTimestamp + timestampOffset;
        if (!passthrough) {
            RtpHeader.ssrc(buffer, offset, outputSsrc);
            RtpHeader.sequence(buffer, offset, outSequence);
            RtpHeader.timestamp(buffer, offset, outTimestamp);
        }

        // Only a newer packet moves the reference point, so a late reordered packet cannot pull the next
        // source's offsets backwards. (short) gives the signed 16 bit distance, RFC 1982 style.
        final int distance = (short)(outSequence - lastSequence);
        if (distance > 0 || packetsOut == 0) {
            lastSequence = outSequence;
            lastTimestamp = outTimestamp;
            lastOutputNanos = nowNanos;
        }
        packetsOut++;
        octetsOut += payloadOctets;
    }

    private static int payloadOctets(final MutableDirectBuffer buffer, final int offset, final int length) {
        final int flags = buffer.getByte(offset);
        int header = RtpHeader.CSRC_OFFSET + ((flags & 0x0F) << 2);
        if ((flags & 0x10) != 0 && header + RtpHeader.EXTENSION_HEADER_LENGTH <= length) {
            header += RtpHeader.EXTENSION_HEADER_LENGTH +
                ((buffer.getShort(offset + header + 2, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) << 2);
        }
        final int padding = (flags & 0x20) != 0 && length > 0 ? buffer.getByte(offset + length - 1) & 0xFF : 0;
        final int octets = length - header - padding;
        return Math.max(octets, 0);
    }

    /**
     * Rewrites a compound RTCP datagram in {@code [offset, offset + length)} in place to match the RTP this
     * rewriter sends: every packet's sender (or first) SSRC becomes the output SSRC; a sender report's RTP
     * timestamp is shifted by the current timestamp offset and its packet and octet counts become what this
     * rewriter has sent. Report blocks are left alone (they describe the reverse direction).
     *
     * @return true to send it; false to drop it (the caller counts the drop) when it comes from another source
     * than the one currently feeding RTP, or when it is malformed. Before any RTP has gone out, RTCP passes
     * untouched, which is what identity for the first source would produce.
     */
    public boolean rewriteRtcp(final MutableDirectBuffer buffer, final int offset, final int length,
        final int sourceId) {
        if (passthrough || !hasSource) {
            return true;
        }
        if (sourceId != this.sourceId) {
            return false;
        }
        if (RtcpHeader.validateCompound(rtcp, buffer, offset, length) != RtcpValidation.OK) {
            return false;
        }

        final int end = offset + length;
        int position = offset;
        while (position < end) {
            rtcp.wrap(buffer, position, end - position);
            final int packetType = rtcp.packetType();
            final boolean hasSsrc = rtcp.packetLength() >= RtcpHeader.MIN_LENGTH_WITH_SSRC &&
                !((packetType == RtcpHeader.PT_SDES || packetType == RtcpHeader.PT_BYE) && rtcp.count() == 0);
            if (hasSsrc) {
                rtcp.ssrc(outputSsrc);
            }
            if (packetType == RtcpHeader.PT_SR) {
                rtcp.rtpTimestamp(rtcp.rtpTimestamp() + timestampOffset)
                    .senderPacketCount(packetsBefore + packetsOut)
                    .senderOctetCount(octetsBefore + octetsOut);
            }
            position = rtcp.nextOffset();
        }
        return true;
    }

    /**
     * Continues a stream this rewriter's predecessor sent (call state restored after a gateway restart): the far end
     * keeps seeing {@code outputSsrc}, and while {@code sourceId} with {@code sourceSsrc} still feeds it the saved
     * offsets keep its sequence numbers and timestamps continuous; another source is re-based on the saved last
     * sequence number and timestamp, as at any source switch. Call on the owning I/O thread before traffic flows.
     */
    public void resume(
        final int sourceId, final int sourceSsrc, final int outputSsrc, final int sequenceOffset,
        final int timestampOffset, final int lastSequence, final int lastTimestamp, final long lastOutputNanos) {
        hasSource = true;
        this.sourceId = sourceId;
        this.sourceSsrc = sourceSsrc;
        this.outputSsrc = outputSsrc;
        this.sequenceOffset = sequenceOffset & 0xFFFF;
        this.timestampOffset = timestampOffset;
        this.lastSequence = lastSequence & 0xFFFF;
        this.lastTimestamp = lastTimestamp;
        this.lastOutputNanos = lastOutputNanos;
    }

    /**
     * Continues the sender counts a predecessor reported (call state restored after a gateway restart): sender
     * reports then count {@code packets} and {@code octets} plus what this rewriter sends. Replaces an earlier call;
     * leaves {@link #packetsOut()} and {@link #octetsOut()} (this rewriter's own counts) alone. Call on the owning I/O
     * thread.
     */
    public void resumeSenderCounts(final long packets, final long octets) {
        packetsBefore = packets;
        octetsBefore = octets;
    }

    /** @return the packet count a sender report carries: the predecessor's plus this rewriter's. */
    public long senderPackets() {
        return packetsBefore + packetsOut;
    }

    /** @return the octet count a sender report carries: the predecessor's plus this rewriter's. */
    public long senderOctets() {
        return octetsBefore + octetsOut;
    }

    /** @return the SSRC of the source currently feeding this rewriter, as received. */
    public int sourceSsrc() {
        return sourceSsrc;
    }

    public int outputSsrc() {
        return outputSsrc;
    }

    public boolean hasSource() {
        return hasSource;
    }

    /** @return the id of the ingress termination currently feeding this rewriter. */
    public int sourceId() {
        return sourceId;
    }

    /** @return sequence number of the newest packet sent. */
    public int lastSequence() {
        return lastSequence;
    }

    /** @return timestamp of the newest packet sent, raw 32 bits. */
    public int lastTimestamp() {
        return lastTimestamp;
    }

    /** @return what is added (mod 2^16) to input sequence numbers of the current source. */
    public int sequenceOffset() {
        return sequenceOffset;
    }

    /** @return what is added (mod 2^32) to input timestamps of the current source. */
    public int timestampOffset() {
        return timestampOffset;
    }

    public long packetsOut() {
        return packetsOut;
    }

    /** @return payload octets sent; only the length-aware {@code rewriteRtp} overload counts them. */
    public long octetsOut() {
        return octetsOut;
    }

    public int sourceChanges() {
        return sourceChanges;
    }
}
