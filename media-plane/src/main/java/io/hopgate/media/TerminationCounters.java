package io.hopgate.media;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-termination packet counters. Single writer: only the I/O thread of the termination's context increments them,
 * so a plain read-modify-write is enough; stores and loads are opaque so that control threads (audit, metrics) read
 * a value that is at most a few packets old and never torn.
 */
public final class TerminationCounters {
    static final int RX_PACKETS = 0;
    static final int RX_OCTETS = 1;
    static final int TX_PACKETS = 2;
    static final int TX_OCTETS = 3;
    static final int RTCP_RX = 4;
    static final int RTCP_TX = 5;
    static final int UNREACHABLE = 6;
    static final int LATCHED = 7;
    /** First of one slot per {@link DropReason}, in declaration order. */
    private static final int DROP_BASE = 8;
    private static final int COUNT = DROP_BASE + DropReason.values().length;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[COUNT];

    void increment(int slot) {
        SLOT.setOpaque(values, slot, (long) SLOT.getOpaque(values, slot) + 1);
    }

    void add(int slot, long delta) {
        SLOT.setOpaque(values, slot, (long) SLOT.getOpaque(values, slot) + delta);
    }

    void drop(DropReason reason) {
        increment(DROP_BASE + reason.ordinal());
    }

    long value(int slot) {
        return (long) SLOT.getOpaque(values, slot);
    }

    public long received() {
        return value(RX_PACKETS);
    }

    public long receivedOctets() {
        return value(RX_OCTETS);
    }

    public long sent() {
        return value(TX_PACKETS);
    }

    public long sentOctets() {
        return value(TX_OCTETS);
    }

    public long rtcpReceived() {
        return value(RTCP_RX);
    }

    public long rtcpSent() {
        return value(RTCP_TX);
    }

    public long dropped(DropReason reason) {
        return value(DROP_BASE + reason.ordinal());
    }

    /** Times the kernel reported the peer unreachable (ICMP) on the connected RTP socket. */
    public long unreachable() {
        return value(UNREACHABLE);
    }

    /** Times latching moved the remote to a new source that kept the stream's SSRC and sequence. */
    public long latched() {
        return value(LATCHED);
    }
}
