package io.hopgate.media;

import java.util.Arrays;

/**
 * What a termination carried: returned by Subtract and by audits, one value per {@link Counter} plus the reception
 * figures. Packets and octets are RTP and RTCP together; {@code lost} and {@code jitter} come from the RTP received
 * from the outside peer (RFC 3550 A.3 and A.8, jitter in timestamp units of the payload clock).
 */
public final class TerminationStatistics {
    private final long[] counts;
    private final long lost;
    private final long jitter;

    TerminationStatistics(long[] counts, long lost, long jitter) {
        this.counts = counts;
        this.lost = lost;
        this.jitter = jitter;
    }

    public long get(Counter counter) {
        return counts[counter.ordinal()];
    }

    public long dropped(DropReason reason) {
        return get(Counter.dropped(reason));
    }

    public long packetsReceived() {
        return get(Counter.RECEIVED);
    }

    public long octetsReceived() {
        return get(Counter.RECEIVED_OCTETS);
    }

    public long packetsSent() {
        return get(Counter.SENT);
    }

    public long octetsSent() {
        return get(Counter.SENT_OCTETS);
    }

    /** RTP packets lost from the peer (RFC 3550 A.3). */
    public long lost() {
        return lost;
    }

    /** Interarrival jitter of the peer's RTP, in timestamp units (RFC 3550 A.8). */
    public long jitter() {
        return jitter;
    }

    long[] counts() {
        return counts;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TerminationStatistics s && lost == s.lost && jitter == s.jitter
            && Arrays.equals(counts, s.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(counts) * 31 + Long.hashCode(lost) * 17 + Long.hashCode(jitter);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TerminationStatistics[");
        for (Counter c : Counter.values()) {
            b.append(c.key()).append('=').append(get(c)).append(", ");
        }
        return b.append("lost=").append(lost).append(", jitter=").append(jitter).append(']').toString();
    }
}
