package io.hopgate.control.load;

/**
 * What a load run does.
 *
 * @param calls         calls to set up; each has two legs, so {@code 2 * calls} RTP streams
 * @param pps           packets per second in total over all streams, spread evenly (each stream sends every
 *                      {@code 2 * calls / pps} seconds, streams offset from each other by {@code 1 / pps})
 * @param seconds       measured sending time
 * @param warmupSeconds sending time before the measurement starts; its packets are not in the report
 * @param basePort      0: legs bind ephemeral ports; otherwise leg {@code j} binds {@code basePort + j}
 * @param drainMs       how long the receiver waits after the last send for packets still in flight
 * @param progress      whether to print a progress line once per second to stderr
 */
public record LoadOptions(int calls, int pps, int seconds, int warmupSeconds, int basePort, int drainMs,
                          boolean progress) {
    public static final int DEFAULT_DRAIN_MS = 1000;

    public LoadOptions {
        if (calls < 1) {
            throw new IllegalArgumentException("calls=" + calls + ": must be at least 1");
        }
        if (pps < 1) {
            throw new IllegalArgumentException("pps=" + pps + ": must be at least 1");
        }
        if (seconds < 1) {
            throw new IllegalArgumentException("seconds=" + seconds + ": must be at least 1");
        }
        if (warmupSeconds < 0) {
            throw new IllegalArgumentException("warmup=" + warmupSeconds + ": must not be negative");
        }
        if (basePort != 0 && (basePort < 1024 || basePort + 2L * calls - 1 > 65535)) {
            throw new IllegalArgumentException("base-port=" + basePort + " with " + 2 * calls
                + " legs does not fit in 1024-65535");
        }
        if (drainMs < 0) {
            throw new IllegalArgumentException("drain-ms=" + drainMs + ": must not be negative");
        }
    }

    public LoadOptions(int calls, int pps, int seconds, int warmupSeconds) {
        this(calls, pps, seconds, warmupSeconds, 0, DEFAULT_DRAIN_MS, true);
    }

    public int streams() {
        return 2 * calls;
    }

    /** Packets sent over the whole run, warm-up included. */
    public long totalPackets() {
        return (long) pps * (warmupSeconds + seconds);
    }

    public LoadOptions withBasePort(int port) {
        return new LoadOptions(calls, pps, seconds, warmupSeconds, port, drainMs, progress);
    }

    public LoadOptions withDrainMs(int ms) {
        return new LoadOptions(calls, pps, seconds, warmupSeconds, basePort, ms, progress);
    }

    public LoadOptions withProgress(boolean on) {
        return new LoadOptions(calls, pps, seconds, warmupSeconds, basePort, drainMs, on);
    }
}
