package io.hopgate.control.demo;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces both directions of one call at {@code pps}: every tick the far party sends tick number n to its termination,
 * and the mobile sends n on whichever radio leg is active (as a real handset transmits on one radio at a time).
 * Tick n is sent at start + n / pps, on an absolute schedule so a late tick does not shift the next ones.
 */
public final class Traffic implements AutoCloseable {
    /** The mobile's active uplink: which of its radio endpoints sends, and to which gateway address. */
    public record Uplink(RtpEndpoint radio, InetSocketAddress to) {
    }

    private final RtpEndpoint far;
    private final InetSocketAddress farTo;
    private final long periodNanos;
    private final Thread thread;
    private volatile Uplink uplink;
    private volatile int ticks;
    private volatile long startNanos;
    private volatile boolean stopped;

    public Traffic(RtpEndpoint far, InetSocketAddress farTo, Uplink uplink, int pps) {
        this.far = far;
        this.farTo = farTo;
        this.uplink = uplink;
        this.periodNanos = TimeUnit.SECONDS.toNanos(1) / pps;
        this.thread = new Thread(this::run, "traffic");
        this.thread.setDaemon(true);
    }

    public Traffic start() {
        startNanos = System.nanoTime();
        thread.start();
        return this;
    }

    /** Moves the mobile's uplink to another radio leg, from the next tick on. */
    public void uplink(Uplink next) {
        uplink = next;
    }

    public Uplink uplink() {
        return uplink;
    }

    /** Ticks sent so far (both directions); tick numbers are 0..ticks()-1. */
    public int ticks() {
        return ticks;
    }

    public long startNanos() {
        return startNanos;
    }

    public long periodNanos() {
        return periodNanos;
    }

    private void run() {
        long next = startNanos;
        int n = 0;
        while (!stopped) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            far.send(farTo, n);
            Uplink u = uplink;
            u.radio().send(u.to(), n);
            n++;
            ticks = n;
            next += periodNanos;
        }
    }

    @Override
    public void close() {
        stopped = true;
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
