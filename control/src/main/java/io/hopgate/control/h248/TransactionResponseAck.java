package io.hopgate.control.h248;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code TransactionResponseAck { 10-12, 15 }}: replies the receiver no longer needs to cache.
 * Each range is {@code {first, last}} with {@code first <= last}; a single id is {@code {id, id}}.
 * Arrays are copied in and compared by content, so two acks with the same ranges are equal.
 */
public record TransactionResponseAck(List<long[]> ranges) implements Transaction {
    public TransactionResponseAck {
        List<long[]> copy = new ArrayList<>(ranges.size());
        for (long[] r : ranges) {
            if (r.length != 2) {
                throw new IllegalArgumentException("ack range needs {first, last}, got " + Arrays.toString(r));
            }
            TransactionIds.check(r[0]);
            TransactionIds.check(r[1]);
            if (r[0] > r[1]) {
                throw new IllegalArgumentException("ack range " + r[0] + "-" + r[1] + " is descending");
            }
            copy.add(r.clone());
        }
        ranges = List.copyOf(copy);
    }

    /** Acknowledges the given single transaction ids. */
    public static TransactionResponseAck of(long... ids) {
        List<long[]> r = new ArrayList<>(ids.length);
        for (long id : ids) {
            r.add(new long[] {id, id});
        }
        return new TransactionResponseAck(r);
    }

    /** Whether {@code id} falls in one of the ranges. */
    public boolean acknowledges(long id) {
        for (long[] r : ranges) {
            if (id >= r[0] && id <= r[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public List<long[]> ranges() {
        List<long[]> out = new ArrayList<>(ranges.size());
        for (long[] r : ranges) {
            out.add(r.clone());
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TransactionResponseAck other) || other.ranges.size() != ranges.size()) {
            return false;
        }
        for (int i = 0; i < ranges.size(); i++) {
            if (!Arrays.equals(ranges.get(i), other.ranges.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (long[] r : ranges) {
            h = 31 * h + Arrays.hashCode(r);
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TransactionResponseAck[");
        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            sb.append(i == 0 ? "" : ", ").append(r[0]);
            if (r[1] != r[0]) {
                sb.append('-').append(r[1]);
            }
        }
        return sb.append(']').toString();
    }
}
