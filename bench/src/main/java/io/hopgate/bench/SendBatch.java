package io.hopgate.bench;

import io.hopgate.media.Termination;
import org.openjdk.jmh.infra.Blackhole;

import java.net.InetSocketAddress;

/**
 * Stands in for IoLoop's hand-off to Netty without Netty: each forwarded copy records its egress termination,
 * destination and length in preallocated arrays, and the batch is "flushed" (sunk into a Blackhole) every
 * {@link #FLUSH_EVERY} datagrams, as IoLoop flushes once per recvmmsg batch. Allocates nothing.
 */
final class SendBatch {
    /** Datagrams per receive batch in the media plane (MediaPlane.RECV_BATCH). */
    static final int FLUSH_EVERY = 16;

    private final Termination[] egress;
    private final InetSocketAddress[] destinations;
    private final int[] lengths;
    private int count;
    private int datagrams;

    SendBatch(int maxTargets) {
        int capacity = FLUSH_EVERY * maxTargets;
        egress = new Termination[capacity];
        destinations = new InetSocketAddress[capacity];
        lengths = new int[capacity];
    }

    void add(Termination to, InetSocketAddress destination, int length) {
        egress[count] = to;
        destinations[count] = destination;
        lengths[count] = length;
        count++;
    }

    /** Ends one received datagram; flushes the batch after {@link #FLUSH_EVERY} of them. */
    void endDatagram(Blackhole bh) {
        if (++datagrams == FLUSH_EVERY) {
            flush(bh);
        }
    }

    /** Forgets what was added without sinking it (set-up only). */
    void clear() {
        java.util.Arrays.fill(egress, null);
        java.util.Arrays.fill(destinations, null);
        count = 0;
        datagrams = 0;
    }

    void flush(Blackhole bh) {
        for (int i = 0; i < count; i++) {
            bh.consume(egress[i]);
            bh.consume(destinations[i]);
            bh.consume(lengths[i]);
            egress[i] = null;
            destinations[i] = null;
        }
        count = 0;
        datagrams = 0;
    }
}
