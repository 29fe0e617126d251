package io.hopgate.media;

import java.net.InetAddress;

/**
 * Settings of the media plane (the {@code media.*} configuration keys).
 *
 * @param address                   local address every termination binds to and advertises
 * @param portMin                   lowest port of the RTP/RTCP range ({@code media.port-min})
 * @param portMax                   highest port of the range ({@code media.port-max})
 * @param ioThreads                 number of forwarding I/O threads; each context lives on one of them
 * @param maxContexts               limit on live contexts
 * @param maxTerminationsPerContext limit on terminations in one context
 * @param rewriteContinuity         true: egress continuity rewriting (SPEC 1); false: passthrough
 * @param socketBufferBytes         SO_RCVBUF and SO_SNDBUF of every media socket; 0 keeps the kernel default
 * @param dualReceiveMs             how long the previous remote address stays accepted after a change
 * @param moveBufferMs              packets held for a moving termination older than this are dropped, not sent
 * @param moveBufferPackets         at most this many packets are held per moving termination
 */
public record MediaPlaneConfig(InetAddress address, int portMin, int portMax, int ioThreads, int maxContexts,
                               int maxTerminationsPerContext, boolean rewriteContinuity, int socketBufferBytes,
                               int dualReceiveMs, int moveBufferMs, int moveBufferPackets) {

    public MediaPlaneConfig {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("media.io-threads=" + ioThreads + ": must be at least 1");
        }
        if (maxTerminationsPerContext < 2) {
            throw new IllegalArgumentException("media.max-terminations-per-context=" + maxTerminationsPerContext
                + ": must be at least 2");
        }
        if (moveBufferPackets < 1) {
            throw new IllegalArgumentException("media.move-buffer-packets=" + moveBufferPackets
                + ": must be at least 1");
        }
    }

    /** Loopback defaults for tests and the demo. */
    public static MediaPlaneConfig loopback(int portMin, int portMax) {
        return new MediaPlaneConfig(InetAddress.getLoopbackAddress(), portMin, portMax, 1, 10_000, 8, true,
            1 << 20, 2000, 200, 64);
    }

    public MediaPlaneConfig withIoThreads(int threads) {
        return new MediaPlaneConfig(address, portMin, portMax, threads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets);
    }

    public MediaPlaneConfig withMaxContexts(int max) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, max, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets);
    }

    public MediaPlaneConfig withRewriteContinuity(boolean rewrite) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewrite, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets);
    }

    public MediaPlaneConfig withDualReceiveMs(int ms) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, ms, moveBufferMs, moveBufferPackets);
    }

    public MediaPlaneConfig withMoveBuffer(int ms, int packets) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, ms, packets);
    }
}
