package io.hopgate.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.util.concurrent.TimeUnit;

/**
 * One forwarding I/O thread: a Netty event loop (io_uring, epoll or NIO: {@link Transport}) plus the forwarding
 * state it owns (a {@link PacketForwarder}, which holds the whole forwarding rule, and the channels written since
 * the last flush). This class is the I/O wiring: it feeds datagrams to the forwarder, queues what the forwarder
 * hands back ({@link Egress}), flushes once per read batch, and applies control's changes of forwarding state as
 * tasks on its thread. Every termination of a context is registered on the context's loop, so the egress
 * rewriters this loop touches are touched by no other thread.
 *
 * <p>Send batching: writes go to the target channel's outbound buffer and are flushed once per receive batch
 * ({@code channelReadComplete}); on epoll several packets queued for one socket leave in one {@code sendmmsg}, on
 * io_uring the sends of every socket flushed in one loop turn go to the kernel in one submission.
 */
final class IoLoop implements Egress {
    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    final EventLoop eventLoop;
    private final PacketForwarder forwarder;
    private final Channel[] dirty = new Channel[256];
    private int dirtyCount;
    private long errors;
    private long lastErrorLogNanos = System.nanoTime() - ERROR_LOG_INTERVAL_NANOS;

    private final MediaPlaneConfig config;

    IoLoop(EventLoop eventLoop, MediaPlaneConfig config) {
        this.eventLoop = eventLoop;
        this.config = config;
        this.forwarder = new PacketForwarder(config.maxTerminationsPerContext(), config.latch(),
            TimeUnit.MILLISECONDS.toNanos(config.dualReceiveMs()));
    }

    /** Called on this loop's thread for every datagram read from a termination's socket. Releases {@code packet}. */
    void onDatagram(Termination from, boolean rtcpPort, DatagramPacket packet) {
        try {
            forwarder.forward(from, rtcpPort, packet.content(), packet.sender(), System.nanoTime(), this);
        } finally {
            packet.release();
        }
    }

    @Override
    public void send(Termination to, boolean rtcpPort, ByteBuf datagram, InetSocketAddress destination) {
        send(rtcpPort ? to.rtcpChannel : to.rtpChannel, datagram, destination, rtcpPort ? null : to.rtpConnectedTo);
    }

    /**
     * Queues {@code out} on {@code channel}. A socket connected to the destination gets the bare buffer: Netty then
     * sends without an address (no per-packet envelope, no address bytes copied).
     */
    private void send(Channel channel, ByteBuf out, InetSocketAddress destination, InetSocketAddress connectedTo) {
        if (channel == null) {
            out.release();
            return;
        }
        if (connectedTo != null && (connectedTo == destination || connectedTo.equals(destination))) {
            channel.write(out, channel.voidPromise());
        } else {
            channel.write(new DatagramPacket(out, destination), channel.voidPromise());
        }
        if (dirtyCount > 0 && dirty[dirtyCount - 1] == channel) {
            return;
        }
        if (dirtyCount == dirty.length) {
            flush();
        }
        dirty[dirtyCount++] = channel;
    }

    /**
     * A new remote for {@code termination}, on this loop: the remote is published, the socket (dis)connected and a
     * move in progress ended in one task, so no packet meets a socket connected to the old peer after the new remote
     * is visible, and held packets go to the new address before any live one. With {@code dualReceiveNanos} above 0
     * the previous address stays accepted until the new one is heard (RFC 3264 section 8.3.1).
     */
    void repoint(Termination termination, InetSocketAddress remoteRtp, long dualReceiveNanos) {
        RemoteAddress old = termination.remote();
        RemoteAddress next = RemoteAddress.of(remoteRtp);
        if (dualReceiveNanos > 0 && old != null && !old.rtp().equals(remoteRtp)) {
            next = new RemoteAddress(next.rtp(), next.rtcp(), old.rtp(), System.nanoTime() + dualReceiveNanos);
        }
        termination.movingOnUnreachable = false;
        termination.remote(next);
        applyRemote(termination);
        if (termination.isMoving()) {
            endMove(termination);
        }
    }

    /** Starts holding what is meant for {@code termination} (a move signalled by control), or ends the move. */
    void moving(Termination termination, boolean on) {
        termination.movingOnUnreachable = false;
        if (on) {
            termination.moveBuffer(config);
            termination.moving(true);
        } else if (termination.isMoving()) {
            endMove(termination);
        }
    }

    /** Ends a move on this loop: what was held goes out first, in order, to the current remote. */
    void endMove(Termination termination) {
        forwarder.endMove(termination, System.nanoTime(), this);
        flush();
    }

    /**
     * Connects the termination's RTP socket to its remote address, or disconnects it, to match the current remote
     * ({@code media.connect-sockets}). Connected, the kernel drops other sources, reads need no address lookup, and
     * an ICMP unreachable from the peer comes back as a socket error. Not connected: while there is no remote, while
     * the previous address is still accepted (dual receive; this re-runs when that window ends) and with latching.
     */
    void applyRemote(Termination termination) {
        IoLoop owner = termination.rtpHandler.loop;
        if (owner != this) { // the termination moved to a context on another loop since this was queued
            owner.eventLoop.execute(() -> owner.applyRemote(termination));
            return;
        }
        Channel channel = termination.rtpChannel;
        if (channel == null || !channel.isOpen()) {
            return;
        }
        RemoteAddress remote = termination.remote();
        InetSocketAddress wanted = null;
        if (config.connectSockets() && !config.latch() && remote != null && !remote.held()) {
            long left = remote.previousUntilNanos() - System.nanoTime();
            if (remote.previousRtp() != null && left > 0) {
                eventLoop.schedule(() -> applyRemote(termination), left + 1_000_000, TimeUnit.NANOSECONDS);
            } else {
                wanted = remote.rtp();
            }
        }
        InetSocketAddress current = termination.rtpConnectedTo;
        if (termination.rtpConnecting || (wanted == null ? current == null : wanted.equals(current))) {
            return; // a connect in flight re-runs this when it completes
        }
        try {
            if (current != null) {
                termination.rtpConnectedTo = null;
                channel.disconnect().sync(); // synchronous on every transport: no completion to wait for
                readOneByOne(channel, false);
            }
        } catch (Exception e) {
            // The socket keeps working unconnected: the Java source check still applies.
            LOG.warn("could not disconnect RTP socket term={} cause={}", termination.id(), e.toString());
            return;
        }
        if (wanted != null) {
            connect(termination, channel, wanted);
        }
    }

    /**
     * Connects on this loop. Epoll connects a UDP socket at once; io_uring submits the connect to the ring and
     * completes it in a later turn of this loop, so the address is published (bare writes, no address per packet)
     * only when the kernel has it, and what changed meanwhile is applied then.
     */
    private void connect(Termination termination, Channel channel, InetSocketAddress wanted) {
        termination.rtpConnecting = true;
        channel.connect(wanted).addListener(f -> {
            if (termination.rtpChannel != channel) {
                return; // the socket was replaced meanwhile (a Move to another loop on io_uring); its loop connects it
            }
            termination.rtpConnecting = false;
            if (f.isSuccess()) {
                termination.rtpConnectedTo = wanted;
                readOneByOne(channel, true);
            } else if (channel.isOpen()) {
                LOG.warn("could not connect RTP socket term={} remote={} cause={}", termination.id(), wanted,
                    String.valueOf(f.cause()));
                return; // unconnected, the Java source check still applies; the next remote change tries again
            }
            applyRemote(termination);
        });
    }

    /**
     * Connected, a socket reads with plain recv (one datagram per call): Netty's batched recvmmsg would look up the
     * destination address on every call, which costs more than batching saves at one packet per 20 ms per socket.
     */
    private static void readOneByOne(Channel channel, boolean oneByOne) {
        if (channel instanceof EpollDatagramChannel) {
            channel.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE,
                oneByOne ? 0 : MediaPlane.MAX_DATAGRAM_BYTES);
        }
    }

    /** Flushes every channel written since the last flush: one send syscall per socket per batch. */
    void flush() {
        for (int i = 0; i < dirtyCount; i++) {
            dirty[i].flush();
            dirty[i] = null;
        }
        dirtyCount = 0;
    }

    /** A socket error on this loop (e.g. ICMP port unreachable surfaced by the kernel). Counted, logged rarely. */
    void onError(Termination termination, boolean rtcpPort, Throwable cause) {
        errors++;
        if (sendFailure(cause)) {
            forwarder.sendFailed(termination, rtcpPort);
        }
        if (!rtcpPort && unreachable(cause)) {
            termination.counters.increment(Counter.UNREACHABLE);
            if (config.moveOnUnreachable() && termination.remote() != null && !termination.isMoving()) {
                // docs/architecture.md section 2.7: hold what is meant for the peer until it is heard again or control
                // re-points it.
                termination.moveBuffer(config);
                termination.movingOnUnreachable = true;
                termination.moving(true);
            }
        }
        long now = System.nanoTime();
        if (now - lastErrorLogNanos >= ERROR_LOG_INTERVAL_NANOS) {
            lastErrorLogNanos = now;
            LOG.warn("socket error term={} errors={} cause={}", termination.id(), errors, cause.toString());
        }
    }

    /**
     * Whether the error is a failed send (reported through the void write promise, one per datagram) rather than a
     * failed read: Netty's native errors name the syscall ({@code sendToAddress(..) failed}, {@code sendmmsg},
     * {@code sendAddress}, {@code writeAddress}, io_uring's {@code io_uring sendmsg}); NIO's name no syscall, its
     * write failures are not told apart.
     */
    static boolean sendFailure(Throwable cause) {
        if (cause instanceof Errors.NativeIoException) {
            String message = cause.getMessage();
            if (message != null && message.startsWith("io_uring ")) { // io_uring's errors: "io_uring sendmsg"
                message = message.substring("io_uring ".length());
            }
            return message != null && (message.startsWith("send") || message.startsWith("write"));
        }
        return false;
    }

    private static boolean unreachable(Throwable cause) {
        if (cause instanceof PortUnreachableException || cause instanceof NoRouteToHostException) {
            return true;
        }
        if (cause instanceof Errors.NativeIoException e) {
            int errno = e.expectedErr();
            return errno == Errors.ERROR_ECONNREFUSED_NEGATIVE || errno == Errors.ERROR_EHOSTUNREACH_NEGATIVE
                || errno == Errors.ERROR_ENETUNREACH_NEGATIVE;
        }
        return false;
    }

    /** Releases what the loop keeps for reuse; runs on this loop's thread when the media plane closes. */
    void releaseBuffers() {
        forwarder.releaseCopies();
    }

    long errors() {
        return errors;
    }
}
