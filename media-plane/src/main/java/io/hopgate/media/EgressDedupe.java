package io.hopgate.media;

/**
 * Forward-once state of one egress termination (docs/architecture.md, "Lossless uplink switch"): while a mobile's
 * uplink arrives on two legs at once (the old and the new radio path during a handoff switch), each RTP packet must
 * leave once and in order. A packet is identified by its SSRC and sequence number; a copy arriving on another ingress
 * termination than the one that delivered the newest packet of that SSRC, and not newer than it (within
 * {@link #WINDOW} sequence numbers), is either a duplicate or would be sent out of order: it is dropped and counted as
 * {@link DropReason#DUPLICATE}. Packets of one ingress leg are never judged against each other, so reordering on one
 * path passes as before, and a different SSRC simply starts over (an unrelated stream).
 *
 * <p>Threads: owned by the I/O thread of the termination's context, like the egress rewriter. Allocation-free.
 */
final class EgressDedupe {
    /** How far behind the newest sequence number a copy from another leg still counts as the same stream. */
    static final int WINDOW = 64;

    private boolean hasStream;
    private int ssrc;
    private int newestSequence;
    private int newestFrom;

    /**
     * Whether the RTP packet ({@code ssrc}, {@code sequence}) arriving on ingress termination {@code fromIndex} goes
     * out; records it when it does.
     */
    boolean admit(int fromIndex, int ssrc, int sequence) {
        if (hasStream && ssrc == this.ssrc) {
            int ahead = (short) (sequence - newestSequence); // RFC 1982 style signed distance
            if (ahead > 0) {
                newestSequence = sequence;
                newestFrom = fromIndex;
                return true;
            }
            return fromIndex == newestFrom || ahead <= -WINDOW;
        }
        hasStream = true;
        this.ssrc = ssrc;
        newestSequence = sequence;
        newestFrom = fromIndex;
        return true;
    }
}
