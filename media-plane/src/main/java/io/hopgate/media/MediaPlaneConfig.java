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
 * @param socketBufferBytes         SO_RCVBUF and SO_SNDBUF of every media socket
 * @param dualReceiveMs             how long the previous remote address stays accepted after a change
 */
public record MediaPlaneConfig(InetAddress address, int portMin, int portMax, int ioThreads, int maxContexts,
                               int maxTerminationsPerContext, boolean rewriteContinuity, int socketBufferBytes,
                               int dualReceiveMs) {

    public MediaPlaneConfig {
        if (ioThreads < 1) {
            throw new IllegalArgumentException("media.io-threads=" + ioThreads + ": must be at least 1");
        }
        if (maxTerminationsPerContext < 2) {
            throw new IllegalArgumentException("media.max-terminations-per-context=" + maxTerminationsPerContext
                + ": must be at least 2");
        }
    }

    /** Loopback defaults for tests and the demo. */
    public static MediaPlaneConfig loopback(int portMin, int portMax) {
        return new MediaPlaneConfig(InetAddress.getLoopbackAddress(), portMin, portMax, 1, 10_000, 8, true,
            1 << 20, 2000);
    }

    public MediaPlaneConfig withIoThreads(int threads) {
        return new MediaPlaneConfig(address, portMin, portMax, threads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs);
    }

    public MediaPlaneConfig withMaxContexts(int max) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, max, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs);
    }

    public MediaPlaneConfig withRewriteContinuity(boolean rewrite) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewrite, socketBufferBytes, dualReceiveMs);
    }

    public MediaPlaneConfig withDualReceiveMs(int ms) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, ms);
    }
}
