package io.hopgate.media;

/**
 * Counts over the media plane's whole life (live terminations plus those already subtracted), one per
 * {@link Counter}, for metrics. Immutable.
 */
public final class PacketTotals {
    static final PacketTotals ZERO = new PacketTotals(new long[Counter.values().length]);

    private final long[] counts;

    private PacketTotals(long[] counts) {
        this.counts = counts;
    }

    PacketTotals plus(TerminationStatistics s) {
        long[] sum = counts.clone();
        long[] add = s.counts();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += add[i];
        }
        return new PacketTotals(sum);
    }

    public long get(Counter counter) {
        return counts[counter.ordinal()];
    }

    public long dropped(DropReason reason) {
        return get(Counter.dropped(reason));
    }

    public long sent() {
        return get(Counter.SENT);
    }
}
