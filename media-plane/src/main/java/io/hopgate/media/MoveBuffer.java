package io.hopgate.media;

import io.netty.buffer.ByteBuf;

/**
 * RTP packets held, in arrival order, for a termination whose peer is moving (docs/architecture.md section 2.7):
 * bounded in packets
 * (a full buffer drops its oldest packet, counted as overflow) and in age (a packet older than the bound when the
 * new address arrives is dropped, counted as stale), counted on the termination's counters. Created and used only
 * by the I/O thread of the termination's loop.
 */
final class MoveBuffer {
    private final ByteBuf[] packets;
    private final long[] arrivalNanos;
    private final long maxAgeNanos;
    private int head;
    // Volatile so that monitoring and tests on other threads see the I/O thread's progress; only that thread writes.
    private volatile int count;
    private final TerminationCounters counters;

    MoveBuffer(int capacity, long maxAgeNanos, TerminationCounters counters) {
        this.counters = counters;
        this.packets = new ByteBuf[capacity];
        this.arrivalNanos = new long[capacity];
        this.maxAgeNanos = maxAgeNanos;
    }

    /** Takes ownership of {@code packet}. */
    void hold(ByteBuf packet, long nowNanos) {
        if (count == packets.length) {
            packets[head].release();
            packets[head] = null;
            head = (head + 1) % packets.length;
            count--;
            counters.increment(Counter.MOVE_OVERFLOW);
        }
        int tail = (head + count) % packets.length;
        packets[tail] = packet;
        arrivalNanos[tail] = nowNanos;
        count++;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }

    /** Removes and returns the oldest packet that is still fresh, releasing stale ones; null when none is left. */
    ByteBuf poll(long nowNanos) {
        while (count > 0) {
            ByteBuf p = packets[head];
            long at = arrivalNanos[head];
            packets[head] = null;
            head = (head + 1) % packets.length;
            count--;
            if (nowNanos - at <= maxAgeNanos) {
                counters.increment(Counter.MOVE_FLUSHED);
                return p;
            }
            p.release();
            counters.increment(Counter.MOVE_STALE);
        }
        return null;
    }

    /** Releases everything held (the termination is going away). */
    void clear() {
        while (count > 0) {
            packets[head].release();
            packets[head] = null;
            head = (head + 1) % packets.length;
            count--;
        }
    }
}
