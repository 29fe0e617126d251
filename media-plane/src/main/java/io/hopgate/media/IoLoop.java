package io.hopgate.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.Errors;
import io.netty.channel.socket.DatagramPacket;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.util.concurrent.TimeUnit;

/**
 * One forwarding I/O thread: a Netty epoll event loop plus the forwarding state it owns (a {@link PacketForwarder},
 * buffer views, and the channels written since the last flush). Every termination of a context is registered on the
 * context's loop, so the egress rewriters this loop touches are touched by no other thread.
 *
 * <p>Send batching: writes go to the target channel's outbound buffer and are flushed once per receive batch
 * ({@code channelReadComplete}); several packets queued for one socket leave in one {@code sendmmsg}.
 */
final class IoLoop {
    private static final Logger LOG = LoggerFactory.getLogger(IoLoop.class);
    private static final long ERROR_LOG_INTERVAL_NANOS = 10_000_000_000L;

    final EventLoop eventLoop;
    private final PacketForwarder forwarder;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
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
        ByteBuf content = packet.content();
        try {
            int length = content.readableBytes();
            if (!wrap(view, content)) {
                from.counters.drop(DropReason.MALFORMED);
                return;
            }
            long now = System.nanoTime();
            int count = forwarder.route(from, rtcpPort, view, 0, length, packet.sender(), now);
            if (count == PacketForwarder.LOOPBACK) {
                Channel channel = rtcpPort ? from.rtcpChannel : from.rtpChannel;
                from.counters.increment(TerminationCounters.TX_PACKETS);
                from.counters.add(TerminationCounters.TX_OCTETS, length);
                from.lastQueuedLength = length;
                send(channel, content.retain(), packet.sender(), rtcpPort ? null : from.rtpConnectedTo);
                return;
            }
            if (count != PacketForwarder.DROPPED && from.movingOnUnreachable && !rtcpPort) {
                // The peer the kernel called unreachable is sending again from its address: it is back.
                endMove(from);
            }
            for (int i = 0; i < count; i++) {
                Termination to = forwarder.target(i);
                // Every copy but the last is taken from the pristine datagram; the last rewrites it in place.
                ByteBuf out = i == count - 1 ? content.retain() : copyOf(content, length, to);
                if (out == null) {
                    continue;
                }
                // With one target the view already shows the datagram; with several, point it at this copy (the
                // last one is the datagram itself, after the earlier copies were rewritten in their own memory).
                if (count > 1 && !wrap(view, out)) {
                    out.release();
                    continue;
                }
                if (forwarder.rewrite(from, to, view, 0, length, now)) {
                    InetSocketAddress destination = forwarder.destination(i);
                    MoveBuffer held = to.moveBuffer;
                    if (held != null && !rtcpPort && !forwarder.lastWasRtcp()) {
                        // Acquire load: pairs with the release store of MediaPlane.moving / remote.
                        if (to.isMoving()) {
                            held.hold(out, now);
                            continue;
                        }
                        flushHeld(to, held, now);
                        // route() read the destination before this check: if the move ended in between, that is the
                        // old address. MediaPlane.remote stores the new remote before it clears moving, so the
                        // acquire load above makes it visible here; send where the held packets just went.
                        RemoteAddress current = to.remote();
                        if (current != null) {
                            destination = current.rtp();
                        }
                    }
                    Channel channel = rtcpPort ? to.rtcpChannel : to.rtpChannel;
                    send(channel, out, destination, rtcpPort ? null : to.rtpConnectedTo);
                } else {
                    out.release();
                }
            }
        } finally {
            packet.release();
        }
    }

    private static ByteBuf copyOf(ByteBuf content, int length, Termination to) {
        Channel channel = to.rtpChannel;
        if (channel == null) {
            return null;
        }
        ByteBuf copy = channel.alloc().directBuffer(length);
        copy.writeBytes(content, content.readerIndex(), length);
        return copy;
    }

    /** Points {@code view} at the readable bytes of {@code buf} without copying. */
    private static boolean wrap(UnsafeBuffer view, ByteBuf buf) {
        int length = buf.readableBytes();
        if (buf.hasMemoryAddress()) {
            view.wrap(buf.memoryAddress() + buf.readerIndex(), length);
            return true;
        }
        if (buf.hasArray()) {
            view.wrap(buf.array(), buf.arrayOffset() + buf.readerIndex(), length);
            return true;
        }
        return false;
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
     * Sends what was held for {@code to} while it moved, oldest first, to its current (new) address. Runs on this
     * loop before any live packet for {@code to} is sent, so held and live packets leave in arrival order.
     */
    void flushHeld(Termination to, MoveBuffer held, long nowNanos) {
        if (held.isEmpty()) {
            return;
        }
        RemoteAddress remote = to.remote();
        if (remote == null) {
            held.clear();
            return;
        }
        ByteBuf p;
        while ((p = held.poll(nowNanos)) != null) {
            send(to.rtpChannel, p, remote.rtp(), to.rtpConnectedTo);
        }
    }

    /** Ends a move on this loop: what was held goes out first, in order, to the current remote. */
    void endMove(Termination termination) {
        termination.movingOnUnreachable = false;
        termination.moving(false);
        MoveBuffer held = termination.moveBuffer;
        if (held != null) {
            flushHeld(termination, held, System.nanoTime());
        }
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
        if (config.connectSockets() && !config.latch() && remote != null) {
            long left = remote.previousUntilNanos() - System.nanoTime();
            if (remote.previousRtp() != null && left > 0) {
                eventLoop.schedule(() -> applyRemote(termination), left + 1_000_000, TimeUnit.NANOSECONDS);
            } else {
                wanted = remote.rtp();
            }
        }
        InetSocketAddress current = termination.rtpConnectedTo;
        if (wanted == null ? current == null : wanted.equals(current)) {
            return;
        }
        try {
            if (current != null) {
                termination.rtpConnectedTo = null;
                channel.disconnect().sync();
            }
            if (wanted != null) {
                channel.connect(wanted).sync();
                termination.rtpConnectedTo = wanted;
            }
            readOneByOne(channel, termination.rtpConnectedTo != null);
        } catch (Exception e) {
            // The socket keeps working unconnected: the Java source check still applies.
            LOG.warn("could not {} RTP socket term={} remote={} cause={}", wanted != null ? "connect" : "disconnect",
                termination.id(), wanted, e.toString());
        }
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
            termination.counters.increment(TerminationCounters.UNREACHABLE);
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
     * {@code sendAddress}, {@code writeAddress}); NIO's name no syscall, its write failures are not told apart.
     */
    static boolean sendFailure(Throwable cause) {
        if (cause instanceof Errors.NativeIoException) {
            String message = cause.getMessage();
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

    long errors() {
        return errors;
    }
}
