package io.hopgate.media;

import io.hopgate.rtp.RtcpHeader;
import io.netty.buffer.ByteBuf;
import io.hopgate.rtp.RtpHeader;
import io.hopgate.rtp.RtpValidation;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * The forwarding rule of docs/architecture.md section 1.2, whole and free of any I/O. {@link #forward} takes one
 * datagram through it: {@link #route} classifies it, checks it against the receiving termination's mode and source
 * and lists the terminations it goes out of (their modes, remotes and the topology); then each target gets its own
 * copy (bicast), {@link #rewrite} prepares it for that egress, and it is held while the target moves (section 2.7)
 * or handed to an {@link Egress}; LoopBack reflects it to the sender.
 *
 * <p>Threads: one instance per I/O loop, used only by that loop's thread. Allocates nothing per packet once its
 * ring of bicast copies has grown to what the traffic needs; a rejected datagram bumps a counter, it never throws
 * or logs.
 */
public final class PacketForwarder {
    /** {@link #route} result: the datagram was dropped and counted. */
    public static final int DROPPED = -1;
    /** {@link #route} result: the termination is in LoopBack; reflect the datagram to its sender. */
    public static final int LOOPBACK = -2;

    /** Bicast copies kept for reuse per loop; 2 KiB each, so at most 2 MiB. */
    static final int MAX_COPIES = 1024;
    private static final int COPY_CAPACITY = MediaPlane.MAX_DATAGRAM_BYTES;

    private final RtpHeader rtp = new RtpHeader();
    private ByteBuf[] copies = new ByteBuf[16];
    private int copyCount;
    private int copyCursor;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final RtcpHeader rtcp = new RtcpHeader();
    private final Termination[] targets;
    private final InetSocketAddress[] destinations;
    private final boolean latch;
    private final long dualReceiveNanos;
    private boolean lastWasRtcp;

    public PacketForwarder(int maxTargets) {
        this(maxTargets, false, 0);
    }

    /**
     * @param latch            accept a new RTP source that keeps the stream's SSRC and continues its sequence
     * @param dualReceiveNanos how long the source before a latch stays accepted
     */
    public PacketForwarder(int maxTargets, boolean latch, long dualReceiveNanos) {
        targets = new Termination[maxTargets];
        destinations = new InetSocketAddress[maxTargets];
        this.latch = latch;
        this.dualReceiveNanos = dualReceiveNanos;
    }

    /**
     * The whole rule for one datagram read from {@code from}'s RTP socket ({@code rtcpPort} false) or RTCP socket:
     * gates, fan-out copies, rewrite, move-hold, loopback. What leaves goes to {@code egress}. The caller keeps its
     * reference to {@code datagram} (each datagram sent or held takes a reference of its own) and releases it after.
     */
    public void forward(Termination from, boolean rtcpPort, ByteBuf datagram, InetSocketAddress sender, long now,
                        Egress egress) {
        int length = datagram.readableBytes();
        if (!wrap(view, datagram)) {
            from.counters.drop(DropReason.MALFORMED);
            return;
        }
        int count = route(from, rtcpPort, view, 0, length, sender, now);
        if (count == LOOPBACK) {
            from.counters.increment(Counter.SENT);
            from.counters.add(Counter.SENT_OCTETS, length);
            from.lastQueuedLength = length;
            egress.send(from, rtcpPort, datagram.retain(), sender);
            return;
        }
        if (count != DROPPED && from.movingOnUnreachable && !rtcpPort) {
            // The peer the kernel called unreachable is sending again from its address: it is back.
            endMove(from, now, egress);
        }
        boolean rtcp = lastWasRtcp;
        for (int i = 0; i < count; i++) {
            Termination to = targets[i];
            // Every copy but the last is taken from the pristine datagram; the last rewrites it in place.
            ByteBuf out = i == count - 1 ? datagram.retain() : copyOf(datagram, length);
            // With one target the view already shows the datagram; with several, point it at this copy (the last
            // one is the datagram itself, after the earlier copies were rewritten in their own memory).
            if (count > 1 && !wrap(view, out)) {
                out.release();
                continue;
            }
            if (!rewrite(from, to, view, 0, length, now)) {
                out.release();
                continue;
            }
            MoveBuffer held = to.moveBuffer;
            if (held != null && !rtcpPort && !rtcp) {
                if (to.isMoving()) {
                    held.hold(out, now);
                    continue;
                }
                flushHeld(to, held, now, egress);
            }
            egress.send(to, rtcpPort, out, destinations[i]);
        }
    }

    /**
     * Ends a move on this loop: what was held for {@code termination} goes out first, oldest first, to its current
     * (new) remote, so held and live packets leave in arrival order.
     */
    void endMove(Termination termination, long now, Egress egress) {
        termination.movingOnUnreachable = false;
        termination.moving(false);
        MoveBuffer held = termination.moveBuffer;
        if (held != null) {
            flushHeld(termination, held, now, egress);
        }
    }

    private static void flushHeld(Termination to, MoveBuffer held, long now, Egress egress) {
        if (held.isEmpty()) {
            return;
        }
        RemoteAddress remote = to.remote();
        if (remote == null) {
            held.clear();
            return;
        }
        ByteBuf p;
        while ((p = held.poll(now)) != null) {
            egress.send(to, false, p, remote.rtp());
        }
    }

    /**
     * A copy of the datagram for one more bicast target, from a ring of copies this forwarder owns: a copy whose only
     * reference left is the ring's has been written (or dropped) by its socket and is reused, so after warm-up a
     * bicast allocates nothing. The ring grows to {@link #MAX_COPIES}; beyond that (a flood of bicasts faster than
     * the sockets drain) a copy is a plain pooled buffer that its socket releases.
     */
    private ByteBuf copyOf(ByteBuf datagram, int length) {
        for (int n = 0; n < copyCount; n++) {
            ByteBuf c = copies[copyCursor];
            copyCursor = copyCursor + 1 == copyCount ? 0 : copyCursor + 1;
            if (c.refCnt() == 1 && c.capacity() >= length) {
                c.clear().writeBytes(datagram, datagram.readerIndex(), length);
                return c.retain();
            }
        }
        ByteBuf c = datagram.alloc().directBuffer(Math.max(length, COPY_CAPACITY));
        c.writeBytes(datagram, datagram.readerIndex(), length);
        if (copyCount == MAX_COPIES) {
            return c;
        }
        if (copyCount == copies.length) {
            copies = Arrays.copyOf(copies, copies.length * 2);
        }
        copies[copyCount++] = c;
        return c.retain();
    }

    /** Gives back the ring's references (on the loop's thread, when the media plane closes). */
    void releaseCopies() {
        for (int n = 0; n < copyCount; n++) {
            copies[n].release();
            copies[n] = null;
        }
        copyCount = 0;
        copyCursor = 0;
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
     * Applies the gates to a datagram that arrived on {@code from}'s RTP socket ({@code rtcpPort} false) or RTCP
     * socket. Returns how many targets were stored (see {@link #target}, {@link #destination}), {@link #DROPPED},
     * or {@link #LOOPBACK}.
     */
    public int route(Termination from, boolean rtcpPort, MutableDirectBuffer buffer, int offset, int length,
                     InetSocketAddress source, long nowNanos) {
        TerminationCounters counters = from.counters;
        // Acquire load: pairs with the release store in Termination.mode(StreamMode).
        StreamMode mode = StreamMode.ofOrdinal(from.modeOrdinal());
        if (!mode.receives()) {
            counters.drop(DropReason.MODE);
            return DROPPED;
        }
        boolean isRtcp = rtcpPort || RtcpHeader.isRtcp(buffer, offset, length);
        RemoteAddress remote = from.remote();
        if (remote != null && !acceptsSource(from, remote, isRtcp, source, nowNanos)
            && !(latch && !isRtcp && latched(from, remote, buffer, offset, length, source, nowNanos))) {
            counters.drop(DropReason.SOURCE);
            return DROPPED;
        }
        if (isRtcp) {
            int code = rtcp.wrap(buffer, offset, length).validate();
            if (code != RtpValidation.OK) {
                counters.malformed(code);
                return DROPPED;
            }
            counters.increment(Counter.RTCP_RECEIVED);
        } else {
            int code = rtp.wrap(buffer, offset, length).validate();
            if (code != RtpValidation.OK) {
                counters.malformed(code);
                return DROPPED;
            }
            from.reception.onPacket(rtp.sequence(), rtp.timestamp(), nowNanos, from.clockRate(), length);
            if (latch) {
                from.lastSsrc = rtp.ssrc();
                from.lastSequence = rtp.sequence();
            }
        }
        counters.increment(Counter.RECEIVED);
        counters.add(Counter.RECEIVED_OCTETS, length);
        lastWasRtcp = isRtcp;
        if (mode == StreamMode.LOOPBACK) {
            return LOOPBACK;
        }
        Termination[] routes = from.routes();
        int count = 0;
        int duplicates = 0;
        for (Termination to : routes) {
            if (!StreamMode.ofOrdinal(to.modeOrdinal()).sends()) {
                continue;
            }
            RemoteAddress toRemote = to.remote();
            if (toRemote == null || toRemote.held() || count == targets.length) {
                continue; // no peer yet, or on hold (RFC 3264 section 8.4): nothing is sent to it
            }
            if (!isRtcp && !to.dedupe.admit(from.index(), rtp.ssrc(), rtp.sequence())) {
                duplicates++; // this copy already left (or a newer one did) through another leg
                continue;
            }
            targets[count] = to;
            // RTCP that arrived on the RTCP port leaves from the RTCP port; muxed RTCP stays on the RTP port.
            destinations[count] = rtcpPort ? toRemote.rtcp() : toRemote.rtp();
            count++;
        }
        if (count == 0) {
            counters.drop(duplicates > 0 ? DropReason.DUPLICATE : DropReason.NO_ROUTE);
            return DROPPED;
        }
        return count;
    }

    /**
     * The source check (docs/architecture.md, "Who may send to a leg"): the remote's address, or during dual receive
     * also the previous one, but only until the first packet from the new address arrives (RFC 3264 section 8.3.1),
     * so the two are never interleaved. That first packet closes the window for good.
     */
    private static boolean acceptsSource(Termination from, RemoteAddress remote, boolean isRtcp,
                                         InetSocketAddress source, long nowNanos) {
        boolean previousOpen = remote.previousRtp() != null && from.previousClosedFor != remote;
        if (isRtcp ? remote.isCurrentRtcp(source) : remote.isCurrentRtp(source)) {
            if (previousOpen) {
                from.previousClosedFor = remote;
            }
            return true;
        }
        return previousOpen && (isRtcp ? remote.isPreviousRtcp(source, nowNanos)
            : remote.isPreviousRtp(source, nowNanos));
    }

    /**
     * A send of a datagram this forwarder counted as sent on {@code to} failed (reported by the socket after the
     * fact): it becomes a drop with reason {@link DropReason#SEND_FAILED}. The octets uncounted are those of the
     * last datagram queued on {@code to}, which is the failed one whenever datagrams have one size (voice).
     */
    public void sendFailed(Termination to, boolean rtcpPort) {
        TerminationCounters c = to.counters;
        if (c.sent() > 0) {
            c.add(Counter.SENT, -1);
            c.add(Counter.SENT_OCTETS, -Math.min(to.lastQueuedLength, c.sentOctets()));
            if (rtcpPort && c.rtcpSent() > 0) {
                c.add(Counter.RTCP_SENT, -1);
            }
        }
        c.drop(DropReason.SEND_FAILED);
    }

    /**
     * Latching (docs/architecture.md section 5.1, off by default): an RTP packet from a new source moves the remote
     * there only when it carries
     * the SSRC of the stream accepted so far and a sequence number at most
     * {@link MediaPlaneConfig#LATCH_SEQUENCE_WINDOW} ahead of the last one, i.e. the same stream seen from a new
     * address. Someone who cannot see the stream cannot guess both. Allocates only when it latches.
     */
    private boolean latched(Termination from, RemoteAddress remote, MutableDirectBuffer buffer, int offset,
                            int length, InetSocketAddress source, long nowNanos) {
        if (from.lastSequence < 0 || rtp.wrap(buffer, offset, length).validate() != RtpValidation.OK
            || rtp.ssrc() != from.lastSsrc) {
            return false;
        }
        int ahead = (rtp.sequence() - from.lastSequence) & 0xFFFF;
        if (ahead == 0 || ahead > MediaPlaneConfig.LATCH_SEQUENCE_WINDOW) {
            return false;
        }
        RemoteAddress latchedTo = new RemoteAddress(source,
            new InetSocketAddress(source.getAddress(), source.getPort() + 1), remote.rtp(), nowNanos
                + dualReceiveNanos);
        // The new source has been heard (this packet): the old one is no longer taken (RFC 3264 section 8.3.1).
        from.previousClosedFor = latchedTo;
        from.remote(latchedTo);
        from.counters.increment(Counter.LATCHED);
        return true;
    }

    /** Whether the datagram last accepted by {@link #route} was RTCP. */
    public boolean lastWasRtcp() {
        return lastWasRtcp;
    }

    public Termination target(int index) {
        return targets[index];
    }

    public InetSocketAddress destination(int index) {
        return destinations[index];
    }

    /**
     * Rewrites one copy of the datagram for {@code to}'s egress (docs/architecture.md section 1.3, egress continuity)
     * and counts it as sent.
     * Returns false when the copy must not be sent (RTCP from a source that no longer feeds {@code to}).
     */
    public boolean rewrite(Termination from, Termination to, MutableDirectBuffer buffer, int offset, int length,
                           long nowNanos) {
        if (lastWasRtcp) {
            if (!to.egress.rewriteRtcp(buffer, offset, length, from.index())) {
                return false;
            }
            to.counters.increment(Counter.RTCP_SENT);
        } else {
            to.egress.rewriteRtp(buffer, offset, length, from.index(), nowNanos, to.clockRate());
        }
        to.counters.increment(Counter.SENT);
        to.counters.add(Counter.SENT_OCTETS, length);
        to.lastQueuedLength = length;
        return true;
    }
}
