package io.hopgate.rtp;

/**
 * What an ingress stream's receiver knows for its RTCP report blocks: packets and octets received, expected
 * and lost packets (RFC 3550 Appendix A.3), fraction lost per interval and interarrival jitter (A.8).
 * Owned by the termination's I/O thread; not thread-safe; allocation-free.
 */
public final class ReceptionStatistics {
    public static final int DEFAULT_CLOCK_RATE = 8000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final ExtendedSequence sequence;

    private long octets;
    private boolean haveTransit;
    private long firstArrivalNanos;
    private int transit;
    // A.8 keeps jitter scaled by 16 so the 1/16 gain is an integer shift without losing precision.
    private long jitterQ4;
    private long expectedPrior;
    private long receivedPrior;

    /** Statistics with no sequence probation: the first packet counts (the peer is known from signalling). */
    public ReceptionStatistics() {
        this(new ExtendedSequence(0));
    }

    public ReceptionStatistics(final ExtendedSequence sequence) {
        this.sequence = sequence;
        reset();
    }

    public void reset() {
        sequence.reset();
        octets = 0;
        haveTransit = false;
        firstArrivalNanos = 0;
        transit = 0;
        jitterQ4 = 0;
        expectedPrior = 0;
        receivedPrior = 0;
    }

    /**
     * Records one received packet.
     *
     * @param seq          RTP sequence number.
     * @param rtpTimestamp RTP timestamp, raw 32 bits.
     * @param arrivalNanos monotonic arrival time, e.g. {@code System.nanoTime()}.
     * @param clockRate    RTP clock rate of the payload in Hz; values &lt;= 0 are taken as 8000.
     * @param octets       payload octets (RFC 3550 counts payload, not headers), added when accepted.
     */
    public void onPacket(final int seq, final int rtpTimestamp, final long arrivalNanos, final int clockRate,
        final int octets) {
        if (!sequence.update(seq)) {
            return;
        }
        this.octets += octets;

        final int rate = clockRate > 0 ? clockRate : DEFAULT_CLOCK_RATE;
        if (!haveTransit) {
            firstArrivalNanos = arrivalNanos;
        }
        // Arrival in timestamp units relative to the first packet; only differences matter (A.8), and
        // int arithmetic wraps the same way the 32 bit RTP timestamp does.
        final int arrival = (int)toUnits(arrivalNanos - firstArrivalNanos, rate);
        final int newTransit = arrival - rtpTimestamp;
        if (haveTransit) {
            // long so that |Integer.MIN_VALUE| stays positive
            long d = newTransit - transit;
            if (d < 0) {
                d = -d;
            }
            jitterQ4 += d - ((jitterQ4 + 8) >> 4);
        }
        transit = newTransit;
        haveTransit = true;
    }

    /** Converts a duration to clock units without overflowing for long durations or high rates. */
    static long toUnits(final long nanos, final int rate) {
        return (nanos / NANOS_PER_SECOND) * rate + ((nanos % NANOS_PER_SECOND) * rate) / NANOS_PER_SECOND;
    }

    /** @return packets accepted (duplicates count, as in A.3). */
    public long packets() {
        return sequence.received();
    }

    public long octets() {
        return octets;
    }

    public long expected() {
        return sequence.expected();
    }

    /** @return cumulative lost packets, expected - received, never negative (duplicates can exceed expected). */
    public long lost() {
        final long lost = sequence.expected() - sequence.received();
        return lost > 0 ? lost : 0;
    }

    /**
     * @return fraction lost since the previous call, as the 8 bit fixed point number of an RTCP report block
     * (A.3). Advances the interval, so call it once per report.
     */
    public int fractionLost() {
        final long expected = sequence.expected();
        final long received = sequence.received();
        final long expectedInterval = expected - expectedPrior;
        final long receivedInterval = received - receivedPrior;
        expectedPrior = expected;
        receivedPrior = received;
        final long lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval == 0 || lostInterval <= 0) {
            return 0;
        }
        return (int)((lostInterval << 8) / expectedInterval);
    }

    /** @return interarrival jitter in timestamp units (A.8). */
    public long jitter() {
        return jitterQ4 >> 4;
    }

    /** @return the highest extended sequence number received. */
    public long extendedHighestSequence() {
        return sequence.extendedHighest();
    }

    public ExtendedSequence sequence() {
        return sequence;
    }
}
