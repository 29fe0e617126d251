package io.hopgate.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

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

    IoLoop(EventLoop eventLoop, int maxTargets) {
        this.eventLoop = eventLoop;
        this.forwarder = new PacketForwarder(maxTargets);
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
                send(channel, content.retain(), packet.sender());
                return;
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
                    send(channel, out, destination);
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

    private void send(Channel channel, ByteBuf out, InetSocketAddress destination) {
        if (channel == null) {
            out.release();
            return;
        }
        channel.write(new DatagramPacket(out, destination), channel.voidPromise());
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
            send(to.rtpChannel, p, remote.rtp());
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
    void onError(Termination termination, Throwable cause) {
        errors++;
        long now = System.nanoTime();
        if (now - lastErrorLogNanos >= ERROR_LOG_INTERVAL_NANOS) {
            lastErrorLogNanos = now;
            LOG.warn("socket error term={} errors={} cause={}", termination.id(), errors, cause.toString());
        }
    }

    long errors() {
        return errors;
    }
}
