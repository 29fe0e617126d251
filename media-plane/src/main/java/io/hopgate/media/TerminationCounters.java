package io.hopgate.media;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-termination counters, one slot per {@link Counter}. Single writer: only the I/O thread of the termination's
 * loop increments them, so a plain read-modify-write is enough; stores and loads are opaque so that control threads
 * (audit, metrics) read a value that is at most a few packets old and never torn.
 */
public final class TerminationCounters {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[Counter.values().length];

    void increment(Counter counter) {
        int slot = counter.ordinal();
        SLOT.setOpaque(values, slot, (long) SLOT.getOpaque(values, slot) + 1);
    }

    void add(Counter counter, long delta) {
        int slot = counter.ordinal();
        SLOT.setOpaque(values, slot, (long) SLOT.getOpaque(values, slot) + delta);
    }

    void drop(DropReason reason) {
        increment(Counter.dropped(reason));
    }

    /** A malformed packet: counted as a drop and by what was wrong ({@code io.hopgate.rtp.RtpValidation} code). */
    void malformed(int validationCode) {
        increment(Counter.DROPPED_MALFORMED);
        Counter cause = Counter.malformed(validationCode);
        if (cause != null) {
            increment(cause);
        }
    }

    public long get(Counter counter) {
        return (long) SLOT.getOpaque(values, counter.ordinal());
    }

    /** All counts at once, indexed by {@link Counter#ordinal()}. */
    long[] snapshot() {
        long[] out = new long[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (long) SLOT.getOpaque(values, i);
        }
        return out;
    }

    public long received() {
        return get(Counter.RECEIVED);
    }

    public long receivedOctets() {
        return get(Counter.RECEIVED_OCTETS);
    }

    public long sent() {
        return get(Counter.SENT);
    }

    public long sentOctets() {
        return get(Counter.SENT_OCTETS);
    }

    public long rtcpReceived() {
        return get(Counter.RTCP_RECEIVED);
    }

    public long rtcpSent() {
        return get(Counter.RTCP_SENT);
    }

    public long dropped(DropReason reason) {
        return get(Counter.dropped(reason));
    }

    /** Times the kernel reported the peer unreachable (ICMP) on the connected RTP socket. */
    public long unreachable() {
        return get(Counter.UNREACHABLE);
    }

    /** Times latching moved the remote to a new source that kept the stream's SSRC and sequence. */
    public long latched() {
        return get(Counter.LATCHED);
    }
}
