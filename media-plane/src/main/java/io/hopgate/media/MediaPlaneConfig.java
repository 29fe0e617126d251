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
 * @param transport                 {@code media.transport}: auto, io_uring, epoll or nio ({@link Transport#choose})
 */
public record MediaPlaneConfig(InetAddress address, int portMin, int portMax, int ioThreads, int maxContexts,
                               int maxTerminationsPerContext, boolean rewriteContinuity, int socketBufferBytes,
                               int dualReceiveMs, int moveBufferMs, int moveBufferPackets, boolean latch,
                               boolean connectSockets, boolean moveOnUnreachable, String transport) {

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

    /** Loopback defaults for tests, the load tool and the benchmarks: {@link Builder}'s defaults. */
    public static MediaPlaneConfig loopback(int portMin, int portMax) {
        return builder(InetAddress.getLoopbackAddress(), portMin, portMax).build();
    }

    /** A builder with this gateway's defaults (those of {@code config/hopgate.yaml}, but unconnected sockets). */
    public static Builder builder(InetAddress address, int portMin, int portMax) {
        return new Builder(address, portMin, portMax);
    }

    public Builder toBuilder() {
        return builder(address, portMin, portMax).ioThreads(ioThreads).maxContexts(maxContexts)
            .maxTerminationsPerContext(maxTerminationsPerContext).rewriteContinuity(rewriteContinuity)
            .socketBufferBytes(socketBufferBytes).dualReceiveMs(dualReceiveMs)
            .moveBuffer(moveBufferMs, moveBufferPackets)
            .latch(latch).connectSockets(connectSockets).moveOnUnreachable(moveOnUnreachable).transport(transport);
    }

    public MediaPlaneConfig withIoThreads(int threads) {
        return toBuilder().ioThreads(threads).build();
    }

    public MediaPlaneConfig withMaxContexts(int max) {
        return toBuilder().maxContexts(max).build();
    }

    public MediaPlaneConfig withRewriteContinuity(boolean rewrite) {
        return toBuilder().rewriteContinuity(rewrite).build();
    }

    public MediaPlaneConfig withDualReceiveMs(int ms) {
        return toBuilder().dualReceiveMs(ms).build();
    }

    public MediaPlaneConfig withMoveBuffer(int ms, int packets) {
        return toBuilder().moveBuffer(ms, packets).build();
    }

    public MediaPlaneConfig withLatch(boolean on) {
        return toBuilder().latch(on).build();
    }

    public MediaPlaneConfig withConnectSockets(boolean on) {
        return toBuilder().connectSockets(on).build();
    }

    public MediaPlaneConfig withMoveOnUnreachable(boolean on) {
        return toBuilder().moveOnUnreachable(on).build();
    }

    /** Named settings instead of fifteen positional ones; {@link #build} checks them. */
    public static final class Builder {
        private final InetAddress address;
        private final int portMin;
        private final int portMax;
        private int ioThreads = 1;
        private int maxContexts = 10_000;
        private int maxTerminationsPerContext = 8;
        private boolean rewriteContinuity = true;
        private int socketBufferBytes = 1 << 20;
        private int dualReceiveMs = 2000;
        private int moveBufferMs = 200;
        private int moveBufferPackets = 64;
        private boolean latch;
        private boolean connectSockets;
        private boolean moveOnUnreachable = true;
        private String transport = "auto";

        private Builder(InetAddress address, int portMin, int portMax) {
            this.address = address;
            this.portMin = portMin;
            this.portMax = portMax;
        }

        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        public Builder maxContexts(int max) {
            this.maxContexts = max;
            return this;
        }

        public Builder maxTerminationsPerContext(int max) {
            this.maxTerminationsPerContext = max;
            return this;
        }

        public Builder rewriteContinuity(boolean rewrite) {
            this.rewriteContinuity = rewrite;
            return this;
        }

        public Builder socketBufferBytes(int bytes) {
            this.socketBufferBytes = bytes;
            return this;
        }

        public Builder dualReceiveMs(int ms) {
            this.dualReceiveMs = ms;
            return this;
        }

        public Builder moveBuffer(int ms, int packets) {
            this.moveBufferMs = ms;
            this.moveBufferPackets = packets;
            return this;
        }

        public Builder latch(boolean on) {
            this.latch = on;
            return this;
        }

        public Builder connectSockets(boolean on) {
            this.connectSockets = on;
            return this;
        }

        public Builder moveOnUnreachable(boolean on) {
            this.moveOnUnreachable = on;
            return this;
        }

        public Builder transport(String name) {
            this.transport = name;
            return this;
        }

        public MediaPlaneConfig build() {
            return new MediaPlaneConfig(address, portMin, portMax, ioThreads, maxContexts, maxTerminationsPerContext,
                rewriteContinuity, socketBufferBytes, dualReceiveMs, moveBufferMs, moveBufferPackets, latch,
                connectSockets, moveOnUnreachable, transport);
        }
    }
}
