package io.hopgate.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.unix.UnixChannelOption;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Binds, re-homes and closes the UDP sockets of terminations on their I/O loops, with the socket options of
 * {@link MediaPlaneConfig}. Control-side only: it never touches forwarding state.
 */
final class SocketBinder {
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final InetAddress address;
    private final Bootstrap template;
    private final Transport transport;

    SocketBinder(MediaPlaneConfig config, Transport transport) {
        this.address = config.address();
        this.transport = transport;
        Bootstrap b = new Bootstrap().channel(transport.datagramChannel());
        if (transport == Transport.IO_URING) {
            // One receive (2 KiB) outstanding per socket: the ring batches across sockets, and a larger buffer
            // would stay pinned per idle socket (16 x 2 KiB x 4 sockets per call) while its receive is queued.
            b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MediaPlane.MAX_DATAGRAM_BYTES));
            b.option(UnixChannelOption.SO_REUSEPORT, true); // see rebind
        } else {
            b.option(ChannelOption.RCVBUF_ALLOCATOR,
                new FixedRecvByteBufAllocator(MediaPlane.MAX_DATAGRAM_BYTES * MediaPlane.RECV_BATCH));
        }
        if (config.connectSockets()) {
            // Active from registration on: a socket stays writable while IoLoop.applyRemote disconnects it.
            b.option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true);
        }
        if (config.socketBufferBytes() > 0) { // 0 keeps the kernel's default
            b.option(ChannelOption.SO_RCVBUF, config.socketBufferBytes())
                .option(ChannelOption.SO_SNDBUF, config.socketBufferBytes());
        }
        if (transport == Transport.EPOLL) {
            // Lets Netty's epoll channel read up to RECV_BATCH datagrams per recvmmsg call.
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MediaPlane.MAX_DATAGRAM_BYTES);
        }
        this.template = b;
    }

    /** Binds {@code port} on {@code loop} with {@code handler} as its pipeline; reading starts at once. */
    Channel bind(IoLoop loop, int port, IngressHandler handler) {
        ChannelFuture bound = template.clone(loop.eventLoop)
            .handler(handler)
            .bind(new InetSocketAddress(address, port));
        if (!bound.awaitUninterruptibly(TIMEOUT.toMillis())) {
            bound.channel().close();
            throw new IllegalStateException("timeout binding port " + port);
        }
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            if (cause instanceof RuntimeException e) {
                throw e;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
        return bound.channel();
    }

    /** Binds the RTP/RTCP pair of {@code t} on its handlers' loop; on failure nothing stays open. */
    void bindPair(Termination t, int rtpPort) {
        Channel[] pair = bindBoth(t.rtpHandler.loop, rtpPort, t.rtpHandler, t.rtcpHandler);
        t.rtpChannel = pair[0];
        t.rtcpChannel = pair[1];
    }

    /** Binds {@code rtpPort} and the next port on {@code loop}: {RTP, RTCP}; on failure nothing stays open. */
    private Channel[] bindBoth(IoLoop loop, int rtpPort, IngressHandler rtpHandler, IngressHandler rtcpHandler) {
        Channel rtp = bind(loop, rtpPort, rtpHandler);
        try {
            return new Channel[] {rtp, bind(loop, rtpPort + 1, rtcpHandler)};
        } catch (RuntimeException e) {
            rtp.close().awaitUninterruptibly(TIMEOUT.toMillis());
            throw e;
        }
    }

    /** Moves a channel to another loop: deregistered from its loop (which finishes what it queued), then registered. */
    @SuppressWarnings("deprecation") // EventLoop.register(Channel) is the supported way to re-home a channel in 4.x
    static void reRegister(Channel channel, IngressHandler handler, IoLoop loop) throws MediaPlaneException {
        if (!channel.deregister().awaitUninterruptibly(TIMEOUT.toMillis())) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "timeout moving socket " + channel);
        }
        handler.loop = loop;
        if (!loop.eventLoop.register(channel).awaitUninterruptibly(TIMEOUT.toMillis())) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "timeout moving socket " + channel);
        }
    }

    /**
     * Moves a termination's sockets to another loop by binding new ones on the same ports there, then closing the
     * old ones. For io_uring, whose datagram channel in Netty 4.2.18 cannot be re-registered (deregistering frees
     * its native message headers, or with a receive in flight loses the read buffer). Every io_uring media socket
     * is bound with SO_REUSEPORT, so the new socket is bound while the old one still is: the port never stops
     * answering (no ICMP unreachable to the peer); the price is that another SO_REUSEPORT socket of the same user
     * may bind a port held here (docs/architecture.md section 4). The old sockets' handlers retire first and drop
     * what they still read without touching the termination, which from then on belongs to {@code loop} alone.
     * Runs on control, after the termination left its old context and before it joins the new one.
     */
    void rebind(Termination t, IoLoop loop) throws MediaPlaneException {
        IngressHandler oldRtp = t.rtpHandler;
        IngressHandler oldRtcp = t.rtcpHandler;
        Channel oldRtpChannel = t.rtpChannel;
        Channel oldRtcpChannel = t.rtcpChannel;
        int port = t.localRtp().getPort();
        IngressHandler rtp = new IngressHandler(t, false, loop);
        IngressHandler rtcp = new IngressHandler(t, true, loop);
        Channel[] pair;
        try {
            pair = bindBoth(loop, port, rtp, rtcp);
        } catch (RuntimeException e) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "cannot move socket " + port
                + " to another I/O loop: " + e.getMessage(), e);
        }
        oldRtp.retired = true;
        oldRtcp.retired = true;
        t.rtpConnectedTo = null; // the new socket starts unconnected; the new loop connects it (applyRemote)
        t.rtpConnecting = false;
        t.rtpHandler = rtp;
        t.rtcpHandler = rtcp;
        t.rtpChannel = pair[0];
        t.rtcpChannel = pair[1];
        oldRtpChannel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        oldRtcpChannel.close().awaitUninterruptibly(TIMEOUT.toMillis());
    }

    /** Closes both sockets, then releases what the move buffer held, on the loop that owns it. */
    static void close(Termination termination) {
        termination.rtpChannel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        termination.rtcpChannel.close().awaitUninterruptibly(TIMEOUT.toMillis());
        MoveBuffer held = termination.moveBuffer;
        if (held != null) {
            // After the close, so nothing is added behind it.
            termination.rtpHandler.loop.eventLoop.submit(held::clear).awaitUninterruptibly(TIMEOUT.toMillis());
        }
    }
}
