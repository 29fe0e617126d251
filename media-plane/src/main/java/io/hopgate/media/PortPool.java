package io.hopgate.media;

import java.util.ArrayDeque;

/**
 * Even RTP ports (the RTCP port is the next odd one) from the configured range. Control-thread only: callers hold
 * the {@link MediaPlane} command lock. Released ports go to the back of the queue so a port is reused as late as
 * possible, which keeps late packets of an old call away from a new one.
 */
final class PortPool {
    private final int min;
    private final int max;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final int capacity;

    PortPool(int min, int max) {
        if (min < 1024 || max > 65535 || min > max) {
            throw new IllegalArgumentException("media port range " + min + "-" + max + " must lie within 1024-65535");
        }
        this.min = min + (min & 1);
        this.max = max;
        for (int p = this.min; p + 1 <= max; p += 2) {
            free.add(p);
        }
        capacity = free.size();
        if (capacity == 0) {
            throw new IllegalArgumentException("media port range " + min + "-" + max + " holds no even/odd port pair");
        }
    }

    /** Next free even port, or -1 when none is left. */
    int acquire() {
        Integer p = free.pollFirst();
        return p == null ? -1 : p;
    }

    /** Takes one given even port out of the free queue (restoring a termination); false when it is not free. */
    boolean acquire(int port) {
        return free.remove(port);
    }

    void release(int port) {
        free.addLast(port);
    }

    int inUse() {
        return capacity - free.size();
    }

    int capacity() {
        return capacity;
    }

    String describe() {
        return "media.port-min=" + min + " media.port-max=" + max;
    }
}
