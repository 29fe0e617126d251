package io.hopgate.media;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import reactor.netty.Connection;
import reactor.netty.udp.UdpServer;

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
    private final IoLoop[] loops;
    private final UdpServer[] servers;

    SocketBinder(MediaPlaneConfig config, IoLoop[] loops, boolean nativeTransport) {
        this.address = config.address();
        this.loops = loops;
        this.servers = new UdpServer[loops.length];
        for (int i = 0; i < loops.length; i++) {
            UdpServer server = UdpServer.create()
                .runOn(loops[i].eventLoop)
                .option(ChannelOption.RCVBUF_ALLOCATOR,
                    new FixedRecvByteBufAllocator(MediaPlane.MAX_DATAGRAM_BYTES * MediaPlane.RECV_BATCH));
            if (config.connectSockets()) {
                // Active from registration on: a socket stays writable while IoLoop.applyRemote disconnects it.
                server = server.option(ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, true);
            }
            if (config.socketBufferBytes() > 0) { // 0 keeps the kernel's default
                server = server.option(ChannelOption.SO_RCVBUF, config.socketBufferBytes())
                    .option(ChannelOption.SO_SNDBUF, config.socketBufferBytes());
            }
            if (nativeTransport) {
                // Lets Netty's epoll channel read up to RECV_BATCH datagrams per recvmmsg call.
                server = server.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MediaPlane.MAX_DATAGRAM_BYTES);
            }
            servers[i] = server;
        }
    }

    /** Binds {@code port} on {@code loop} with {@code handler} at the head of its pipeline; reading starts at once. */
    Channel bind(IoLoop loop, int port, IngressHandler handler) {
        InetSocketAddress local = new InetSocketAddress(address, port);
        Connection connection = servers[indexOf(loop)]
            .bindAddress(() -> local)
            .doOnChannelInit((observer, channel, remote) -> channel.pipeline().addFirst("hopgate.ingress", handler))
            .bindNow(TIMEOUT);
        Channel channel = connection.channel();
        // Reactor Netty leaves auto-read off until a subscriber asks for inbound data; our head handler consumes
        // every datagram itself, so reading starts right away.
        channel.config().setAutoRead(true);
        return channel;
    }

    /** Binds the RTP/RTCP pair of {@code t} on its handlers' loop; on failure nothing stays open. */
    void bindPair(Termination t, int rtpPort) {
        Channel rtp = null;
        try {
            rtp = bind(t.rtpHandler.loop, rtpPort, t.rtpHandler);
            t.rtcpChannel = bind(t.rtcpHandler.loop, rtpPort + 1, t.rtcpHandler);
            t.rtpChannel = rtp;
        } catch (RuntimeException e) {
            if (rtp != null) {
                rtp.close().awaitUninterruptibly(TIMEOUT.toMillis());
            }
            throw e;
        }
    }

    private int indexOf(IoLoop loop) {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == loop) {
                return i;
            }
        }
        throw new IllegalStateException("unknown loop");
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
