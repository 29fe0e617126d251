package io.hopgate.rtp;

/**
 * Extends 16 bit RTP sequence numbers to a 32+ bit count of cycles and tracks source validity, following
 * RFC 3550 Appendix A.1 ({@code init_seq}/{@code update_seq}) with its constants MAX_DROPOUT = 3000 and
 * MAX_MISORDER = 100.
 *
 * <p>The RFC's probation (MIN_SEQUENTIAL = 2) makes a new source prove itself with consecutive packets before
 * any is accepted. A gateway already knows its peer from signalling, so probation is a constructor argument
 * and the no-argument constructor uses 0: the first packet is accepted. Not thread-safe; allocation-free.
 */
public final class ExtendedSequence {
    public static final int RTP_SEQ_MOD = 1 << 16;
    public static final int MAX_DROPOUT = 3000;
    public static final int MAX_MISORDER = 100;
    /** The RFC's value, for callers that want its probation. */
    public static final int MIN_SEQUENTIAL = 2;

    private final int minSequential;

    private boolean started;
    private int maxSeq;
    private int baseSeq;
    private int badSeq;
    private int probation;
    private long cycles;
    private long received;

    /** Probation 0: the first packet of a source is accepted at once. */
    public ExtendedSequence() {
        this(0);
    }

    /**
     * @param minSequential consecutive packets a new source must send before it is accepted (RFC 3550 uses 2);
     *                      0 or 1 accept the first packet.
     */
    public ExtendedSequence(final int minSequential) {
        if (minSequential < 0) {
            throw new IllegalArgumentException("minSequential must be >= 0: " + minSequential);
        }
        this.minSequential = minSequential;
    }

    /** Forgets the source; the next {@link #update(int)} starts again (with probation). */
    public void reset() {
        started = false;
        maxSeq = 0;
        baseSeq = 0;
        badSeq = RTP_SEQ_MOD + 1;
        probation = 0;
        cycles = 0;
        received = 0;
    }

    /**
     * Feeds one received sequence number.
     *
     * @param sequence 0..65535 (higher bits are ignored).
     * @return true when the packet is accepted (counted), false while the source is on probation or after a
     * large jump that is not yet confirmed by its successor.
     */
    public boolean update(final int sequence) {
        final int seq = sequence & 0xFFFF;
        if (!started) {
            started = true;
            init(seq);
            if (minSequential <= 1) {
                received = 1;
                return true;
            }
            maxSeq = (seq - 1) & 0xFFFF;
            probation = minSequential;
        }

        final int udelta = (seq - maxSeq) & 0xFFFF;
        if (probation > 0) {
            // A.1: a source is valid only after MIN_SEQUENTIAL packets in sequence.
            if (seq == ((maxSeq + 1) & 0xFFFF)) {
                probation--;
                maxSeq = seq;
                if (probation == 0) {
                    init(seq);
                    received++;
                    return true;
                }
            } else {
                probation = minSequential - 1;
                maxSeq = seq;
            }
            return false;
        } else if (udelta < MAX_DROPOUT) {
            // in order, with a permissible gap
            if (seq < maxSeq) {
                cycles += RTP_SEQ_MOD;
            }
            maxSeq = seq;
        } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
            // a very large jump: the source probably restarted; accept it only if the next packet follows it
            if (seq == badSeq) {
                init(seq);
            } else {
                badSeq = (seq + 1) & 0xFFFF;
                return false;
            }
        }
        // else: duplicate or reordered packet, counted but does not move maxSeq
        received++;
        return true;
    }

    private void init(final int seq) {
        baseSeq = seq;
        maxSeq = seq;
        badSeq = RTP_SEQ_MOD + 1;
        cycles = 0;
        received = 0;
    }

    /** @return true once any packet has been seen. */
    public boolean started() {
        return started;
    }

    /** @return true while the source is still on probation. */
    public boolean onProbation() {
        return probation > 0;
    }

    /** @return the highest sequence number seen, extended with the wrap count: cycles * 65536 + max. */
    public long extendedHighest() {
        return cycles + maxSeq;
    }

    /** @return how many times the sequence number wrapped from 65535 to 0. */
    public long cycles() {
        return cycles >>> 16;
    }

    /** @return the 16 bit highest sequence number seen. */
    public int highest() {
        return maxSeq;
    }

    /** @return the sequence number the current (validated) stream started with. */
    public int baseSequence() {
        return baseSeq;
    }

    /** @return packets accepted since the source was (re)initialised, duplicates included as in A.3. */
    public long received() {
        return received;
    }

    /** @return extended highest - base + 1 (RFC 3550 A.3), 0 before the first accepted packet. */
    public long expected() {
        return started && probation == 0 ? extendedHighest() - baseSeq + 1 : 0;
    }
}
