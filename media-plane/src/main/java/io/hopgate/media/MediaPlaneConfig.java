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
 * @param rewriteContinuity         true: egress continuity rewriting (docs/architecture.md section 1.3); false:
 *                                  passthrough
 * @param socketBufferBytes         SO_RCVBUF and SO_SNDBUF of every media socket; 0 keeps the kernel default
 * @param dualReceiveMs             how long the previous remote address stays accepted after a change
 * @param moveBufferMs              packets held for a moving termination older than this are dropped, not sent
 * @param moveBufferPackets         at most this many packets are held per moving termination
 * @param latch                     accept a new RTP source for a termination when it keeps the SSRC and continues
 *                                  the sequence (within {@link #LATCH_SEQUENCE_WINDOW}); off by default
 *                                  (docs/architecture.md section 5.1)
 * @param connectSockets            connect a termination's RTP socket to its settled remote: the kernel then
 *                                  filters sources, reads skip the per-read address lookup, and an unreachable
 *                                  peer (ICMP) is reported. On by default in the gateway ({@code
 *                                  media.connect-sockets}); {@link #loopback} leaves it off for the unit tests
 * @param moveOnUnreachable         hold packets for a termination whose peer is reported unreachable, as if control
 *                                  had marked it moving, until the peer is heard again or a new remote is set
 */
public record MediaPlaneConfig(InetAddress address, int portMin, int portMax, int ioThreads, int maxContexts,
                               int maxTerminationsPerContext, boolean rewriteContinuity, int socketBufferBytes,
                               int dualReceiveMs, int moveBufferMs, int moveBufferPackets, boolean latch,
                               boolean connectSockets, boolean moveOnUnreachable) {

    /** Latching accepts a new source only if its sequence number is at most this far ahead of the last one. */
    public static final int LATCH_SEQUENCE_WINDOW = 64;

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
            1 << 20, 2000, 200, 64, false, false, true);
    }

    public MediaPlaneConfig withIoThreads(int threads) {
        return new MediaPlaneConfig(address, portMin, portMax, threads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, latch,
            connectSockets, moveOnUnreachable);
    }

    public MediaPlaneConfig withMaxContexts(int max) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, max, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, latch,
            connectSockets, moveOnUnreachable);
    }

    public MediaPlaneConfig withRewriteContinuity(boolean rewrite) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewrite, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, latch,
            connectSockets, moveOnUnreachable);
    }

    public MediaPlaneConfig withDualReceiveMs(int ms) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, ms, moveBufferMs, moveBufferPackets, latch, connectSockets,
            moveOnUnreachable);
    }

    public MediaPlaneConfig withMoveBuffer(int ms, int packets) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, ms, packets, latch, connectSockets,
            moveOnUnreachable);
    }

    public MediaPlaneConfig withLatch(boolean on) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, on, connectSockets,
            moveOnUnreachable);
    }

    public MediaPlaneConfig withConnectSockets(boolean on) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, latch, on,
            moveOnUnreachable);
    }

    public MediaPlaneConfig withMoveOnUnreachable(boolean on) {
        return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
            rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, latch,
            connectSockets, on);
    }
}
