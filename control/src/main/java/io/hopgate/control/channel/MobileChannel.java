package io.hopgate.control.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A reliable, ordered message channel to a named party that survives a change of either party's address.
 * {@link #open} connects to where the {@link Locator} says the name is; a {@link MobileListener} hands the
 * accepting side its own instance. Both ends have the same API: {@link #send}, a {@link MessageHandler},
 * {@link #close} and {@link #onClose}.
 *
 * <p>Each message is kept until the peer acknowledges it, within {@link ChannelSettings#maxUnackedMessages} and
 * {@link ChannelSettings#maxUnackedBytes}; beyond them {@code send} throws {@link MobileChannelException} with
 * {@code BUFFER_FULL} and nothing is queued. When the connection breaks, or the locator moves the peer, the
 * opening side reconnects with exponential backoff and resumes; the accepting side waits for that resume. If the
 * session is not resumed within {@link ChannelSettings#reconnectDeadline}, the channel fails: {@code onClose}
 * errors with {@code DEADLINE} and {@code send} throws. {@link #close} sends CLOSE on a live connection; messages
 * not yet written to one are dropped.
 */
public final class MobileChannel implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MobileChannel.class);

    private enum State { OPENING, CONNECTED, RECONNECTING, CLOSED, FAILED }

    private record Outbound(long seq, byte[] payload) {
    }

    private final String localName;
    private final String peerName;
    private final ChannelSettings settings;
    private final Locator locator;          // the opening side reconnects through it; null on the accepting side
    private final Runnable onEnd;           // the accepting side forgets the session
    private final Object deliveryLock = new Object(); // taken before the monitor, never inside it
    private final Sinks.Empty<Void> ended = Sinks.empty();

    // Guarded by this.
    private MessageHandler handler;
    private long sessionId;
    private byte[] token;
    private State state = State.OPENING;
    private Channel connection;             // live (CONNECTED), or in handshake (OPENING, RECONNECTING), or null
    private InetSocketAddress target;       // where connection goes (opening side) or comes from (accepting side)
    private final ArrayDeque<Outbound> unacked = new ArrayDeque<>();
    private long unackedBytes;
    private long nextSeq = 1;
    private long lastReceived;
    private long lastAckSent;
    private long deadlineNanos;
    private long backoffMs;
    private int attempts;
    private int resumes;
    private String lastError = "none";
    private ScheduledFuture<?> retry;
    private Disposable watch;
    private MonoSink<MobileChannel> openSink;
    private MobileChannelException failure;

    private MobileChannel(String localName, String peerName, ChannelSettings settings, Locator locator,
                          Runnable onEnd) {
        this.localName = localName;
        this.peerName = peerName;
        this.settings = settings;
        this.locator = locator;
        this.onEnd = onEnd;
    }

    /**
     * Opens a channel from {@code localName} to the listener of {@code peerName}, found through {@code locator}.
     * Fails (no retry) if the first connection or handshake fails; later breaks are repaired by resuming.
     */
    public static Mono<MobileChannel> open(String localName, String peerName, Locator locator,
                                           ChannelSettings settings, MessageHandler handler) {
        requireName(localName);
        requireName(peerName);
        return Mono.create(sink -> {
            MobileChannel channel = new MobileChannel(localName, peerName, settings, locator, () -> { });
            synchronized (channel) {
                channel.handler = handler;
                channel.openSink = sink;
                channel.attempt();
            }
            sink.onCancel(channel::close);
        });
    }

    /** The accepting side of a session that a {@link MobileListener} opened on {@code connection}. */
    static MobileChannel accepted(String localName, String peerName, ChannelSettings settings, long sessionId,
                                  byte[] token, Runnable onEnd) {
        MobileChannel channel = new MobileChannel(localName, peerName, settings, null, onEnd);
        channel.sessionId = sessionId;
        channel.token = token.clone();
        return channel;
    }

    /**
     * Queues {@code message} (copied) and sends it if connected. Returns its sequence number.
     *
     * @throws MobileChannelException {@code BUFFER_FULL} if the unacknowledged buffer has no room (nothing was
     *                                queued), {@code CLOSED} (with the failure as cause) once the channel ended
     * @throws IllegalArgumentException if the message is larger than {@link ChannelSettings#maxMessageBytes}
     */
    public long send(byte[] message) {
        return send(ByteBuffer.wrap(message));
    }

    /** As {@link #send(byte[])}; reads {@code message}'s remaining bytes without moving its position. */
    public long send(ByteBuffer message) {
        int length = message.remaining();
        if (length > settings.maxMessageBytes()) {
            throw new IllegalArgumentException("message of " + length + " bytes exceeds maxMessageBytes="
                    + settings.maxMessageBytes());
        }
        byte[] copy = new byte[length];
        message.duplicate().get(copy);
        synchronized (this) {
            if (state == State.CLOSED || state == State.FAILED) {
                throw new MobileChannelException(MobileChannelException.Reason.CLOSED, "channel " + this + " is "
                        + state, failure);
            }
            if (unacked.size() >= settings.maxUnackedMessages()
                    || unackedBytes + length > settings.maxUnackedBytes()) {
                throw new MobileChannelException(MobileChannelException.Reason.BUFFER_FULL, "send buffer full: "
                        + unacked.size() + " messages and " + unackedBytes
                            + " bytes unacknowledged (maxUnackedMessages="
                        + settings.maxUnackedMessages() + " maxUnackedBytes=" + settings.maxUnackedBytes()
                        + "), message of " + length + " bytes not queued, " + this + " state=" + state);
            }
            long seq = nextSeq++;
            unacked.addLast(new Outbound(seq, copy));
            unackedBytes += length;
            if (state == State.CONNECTED) {
                connection.writeAndFlush(Frames.data(connection.alloc(), seq, copy));
            }
            return seq;
        }
    }

    /** Completes when the channel is closed (by either side); errors with the cause when it failed. */
    public Mono<Void> onClose() {
        return ended.asMono();
    }

    /** Ends the session: CLOSE to the peer if connected, then the connection is closed. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED || state == State.FAILED) {
                return;
            }
            boolean live = state == State.CONNECTED;
            Channel c = end(State.CLOSED);
            if (c != null && live) {
                // Half-close after CLOSE and let the peer close first: closing a socket with unread bytes (an ACK
                // in flight) sends a reset, which can destroy the CLOSE in the peer's receive queue.
                c.writeAndFlush(Frames.close(c.alloc())).addListener(written -> ((DuplexChannel) c).shutdownOutput());
                ChannelLoops.GROUP.schedule(() -> c.close(), settings.handshakeTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
            } else if (c != null) {
                c.close();
            }
            log.info("channel closed {} unacked={}", this, unacked.size());
            notifyEnd(new MobileChannelException(MobileChannelException.Reason.CLOSED, "closed before open"), null);
        }
    }

    public String peerName() {
        return peerName;
    }

    /** Where the peer is (opening side) or was last seen (accepting side). */
    public synchronized InetSocketAddress remoteAddress() {
        return target;
    }

    /** Messages sent and not yet acknowledged. */
    public synchronized int unackedMessages() {
        return unacked.size();
    }

    /** How many times the session was resumed on a new connection. */
    public synchronized int resumes() {
        return resumes;
    }

    public synchronized boolean isConnected() {
        return state == State.CONNECTED;
    }

    synchronized long sessionId() {
        return sessionId;
    }

    synchronized byte[] token() {
        return token == null ? null : token.clone();
    }

    @Override
    public String toString() {
        return "peer=" + peerName + " session=" + Long.toHexString(sessionId); // no lock: both are only for logs
    }

    // ---- opening side: connect, handshake, reconnect ----

    /** Connects to where the locator says the peer is now. Holding the monitor. */
    private void attempt() {
        retry = null;
        attempts++;
        target = locator.lookup(peerName).orElse(null);
        if (target == null) {
            lastError = "no location for " + peerName;
            onConnectionLost(null);
            return;
        }
        Channel c = new Bootstrap().group(ChannelLoops.GROUP).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Frames.decoder(settings.maxFrameBytes()), new ConnectionHandler(
                                MobileChannel.this));
                    }
                })
                .connect(target)
                .addListener(done -> {
                    if (!done.isSuccess()) {
                        synchronized (this) {
                            lastError = done.cause().toString();
                        }
                    }
                })
                .channel();
        connection = c;
        c.closeFuture().addListener(closed -> onConnectionLost(c));
        ChannelLoops.GROUP.schedule(() -> {
            synchronized (this) {
                if (c == connection && state != State.CONNECTED && c.isOpen()) {
                    lastError = "no handshake reply within " + settings.handshakeTimeout().toMillis() + " ms";
                    c.close();
                }
            }
        }, settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** TCP is up: OPEN the first time, RESUME afterwards. */
    synchronized void onConnected(Channel c) {
        if (c != connection) {
            c.close();
        } else if (state == State.OPENING) {
            c.writeAndFlush(Frames.open(c.alloc(), localName, peerName));
        } else if (state == State.RECONNECTING) {
            c.writeAndFlush(Frames.resume(c.alloc(), sessionId, token, lastReceived));
        }
    }

    /** {@code c} closed or never connected; {@code null}: there was nowhere to connect to. */
    private void onConnectionLost(Channel c) {
        synchronized (this) {
            if (c != connection) {
                return; // a connection already replaced, or the channel ended
            }
            connection = null;
            switch (state) {
                case OPENING -> fail(MobileChannelException.Reason.REFUSED, "cannot open channel to " + peerName
                        + " at " + target + ": " + lastError);
                case CONNECTED -> {
                    log.info("connection lost {} remote={}, resuming within {} ms", this, target,
                            settings.reconnectDeadline().toMillis());
                    startResumeDeadline();
                    if (locator != null) {
                        attempt();
                    }
                }
                case RECONNECTING -> {
                    if (locator != null) {
                        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
                        retry = ChannelLoops.GROUP.schedule(this::retry, Math.max(0, Math.min(backoffMs,
                                remainingMs)), TimeUnit.MILLISECONDS);
                        backoffMs = Math.min(backoffMs * 2, settings.backoffMax().toMillis());
                    }
                }
                default -> { }
            }
        }
    }

    private synchronized void retry() {
        if (state == State.RECONNECTING && connection == null) {
            attempt();
        }
    }

    /** The locator moved the peer: leave the old address now rather than wait for TCP to notice. */
    private synchronized void onPeerMoved(InetSocketAddress address) {
        if ((state != State.CONNECTED && state != State.RECONNECTING) || address.equals(target)) {
            return;
        }
        log.info("peer moved {} from={} to={}", this, target, address);
        Channel old = connection;
        connection = null;
        if (state == State.CONNECTED) {
            startResumeDeadline();
        }
        if (retry != null) {
            retry.cancel(false);
        }
        backoffMs = settings.backoffMin().toMillis();
        attempt();
        if (old != null) {
            old.close();
        }
    }

    private void startResumeDeadline() {
        state = State.RECONNECTING;
        attempts = 0;
        backoffMs = settings.backoffMin().toMillis();
        deadlineNanos = System.nanoTime() + settings.reconnectDeadline().toNanos();
        ChannelLoops.GROUP.schedule(this::onDeadline, settings.reconnectDeadline().toNanos(), TimeUnit.NANOSECONDS);
    }

    private synchronized void onDeadline() {
        if (state != State.RECONNECTING) {
            return;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining > 0) { // the session broke again after a resume: a newer deadline applies
            ChannelLoops.GROUP.schedule(this::onDeadline, remaining, TimeUnit.NANOSECONDS);
            return;
        }
        fail(MobileChannelException.Reason.DEADLINE, (locator != null
                ? "no resume of the channel to " + peerName + " within " + settings.reconnectDeadline().toMillis()
                + " ms (reconnectDeadline) after " + attempts + " attempts, last address " + target
                + ", last error: " + lastError
                : "peer " + peerName + " did not resume within " + settings.reconnectDeadline().toMillis()
                + " ms (reconnectDeadline), last seen at " + target) + ", " + unacked.size()
                    + " messages unacknowledged");
    }

    // ---- accepting side ----

    /** Called by the listener once the application chose the handler: the session is live on {@code c}. */
    synchronized void attach(Channel c, MessageHandler handler) {
        this.handler = handler;
        connection = c;
        c.closeFuture().addListener(closed -> onConnectionLost(c));
        target = (InetSocketAddress) c.remoteAddress();
        state = State.CONNECTED;
        c.write(Frames.opened(c.alloc(), sessionId, token));
        resend(c); // whatever the acceptor sent from inside onOpen
    }

    boolean tokenMatches(byte[] presented) {
        return MessageDigest.isEqual(token, presented); // constant time: the token is the only secret
    }

    /** A RESUME with the right token arrived on {@code c}; null when accepted, else why not. */
    synchronized String onResume(Channel c, long peerLastReceived) {
        if (state == State.CLOSED || state == State.FAILED) {
            return "session " + Long.toHexString(sessionId) + " has ended";
        }
        String error = onPeerAck(peerLastReceived);
        if (error != null) {
            return error;
        }
        Channel old = connection;
        InetSocketAddress from = target;
        connection = c;
        c.closeFuture().addListener(closed -> onConnectionLost(c));
        target = (InetSocketAddress) c.remoteAddress();
        state = State.CONNECTED;
        resumes++;
        lastAckSent = lastReceived;
        c.write(Frames.resumed(c.alloc(), lastReceived));
        int resent = resend(c);
        if (old != null) {
            old.close();
        }
        log.info("session resumed {} from={} to={} resent={}", this, from, target, resent);
        return null;
    }

    // ---- frames of an established connection (both sides) ----

    /** Null when handled, else why {@code c} must close. */
    String onFrame(Channel c, int type, ByteBuf body) {
        if (type == Frames.DATA) {
            return onData(c, body.readLong(), body);
        }
        synchronized (this) {
            if (state == State.CLOSED || state == State.FAILED) {
                return null; // the connection is shutting down; reading on avoids a reset
            }
            if (c != connection) {
                return null; // replaced by a resume or a move; whoever replaced it is closing it
            }
            switch (type) {
                case Frames.ACK:
                    return state == State.CONNECTED ? onPeerAck(body.readLong()) : "ACK before the handshake";
                case Frames.OPENED:
                    if (state != State.OPENING || locator == null) {
                        return "unexpected OPENED";
                    }
                    sessionId = body.readLong();
                    token = new byte[Frames.TOKEN_LENGTH];
                    body.readBytes(token);
                    state = State.CONNECTED;
                    watch = locator.watch(peerName, this::onPeerMoved);
                    log.info("channel open {} remote={}", this, target);
                    MonoSink<MobileChannel> sink = openSink;
                    openSink = null;
                    ChannelLoops.GROUP.execute(() -> sink.success(this));
                    return null;
                case Frames.RESUMED:
                    if (state != State.RECONNECTING || locator == null) {
                        return "unexpected RESUMED";
                    }
                    String error = onPeerAck(body.readLong());
                    if (error != null) {
                        fail(MobileChannelException.Reason.PROTOCOL, "bad RESUMED from " + peerName + ": " + error);
                        return null;
                    }
                    state = State.CONNECTED;
                    resumes++;
                    lastAckSent = lastReceived;
                    int resent = resend(c);
                    log.info("channel resumed {} remote={} attempts={} resent={}", this, target, attempts, resent);
                    return null;
                case Frames.CLOSE:
                    log.info("channel closed by peer {}", this);
                    end(State.CLOSED);
                    c.close();
                    notifyEnd(null, null);
                    return null;
                case Frames.ERROR:
                    int code = body.readUnsignedByte();
                    String reason = body.toString(StandardCharsets.UTF_8);
                    fail(code == Frames.E_PROTOCOL ? MobileChannelException.Reason.PROTOCOL
                            : MobileChannelException.Reason.REFUSED, peerName + " refused: " + reason + " (code "
                            + code + ")");
                    return null;
                default:
                    return "unexpected " + Frames.name(type);
            }
        }
    }

    private String onData(Channel c, long seq, ByteBuf body) {
        // The delivery lock keeps deliveries in order when the old and the new connection run on different
        // event loops; the sequence check inside the monitor makes each one happen once.
        synchronized (deliveryLock) {
            MessageHandler h;
            synchronized (this) {
                if (c != connection || state != State.CONNECTED) {
                    return c == connection ? "DATA before the handshake" : null; // replaced: it is being closed
                }
                if (seq <= lastReceived) {
                    return null; // a resend of what was delivered before the resume raced the RESUME
                }
                if (seq != lastReceived + 1) {
                    return "DATA seq " + seq + " after " + lastReceived + " (gap)";
                }
                lastReceived = seq;
                h = handler;
            }
            byte[] message = new byte[body.readableBytes()];
            body.readBytes(message);
            try {
                h.onMessage(message);
            } catch (RuntimeException e) {
                log.warn("message handler threw {} seq={}", this, seq, e);
            }
            return null;
        }
    }

    /** After a read batch: one cumulative ACK for everything delivered. */
    synchronized void flushAck(Channel c) {
        if (c == connection && state == State.CONNECTED && lastReceived > lastAckSent) {
            lastAckSent = lastReceived;
            c.writeAndFlush(Frames.ack(c.alloc(), lastReceived));
        }
    }

    /** The peer has every message up to {@code peerLast}; null if that is possible, else what is wrong. */
    private String onPeerAck(long peerLast) {
        long acked = unacked.isEmpty() ? nextSeq - 1 : unacked.peekFirst().seq() - 1;
        if (peerLast < acked || peerLast > nextSeq - 1) {
            return "acknowledged " + peerLast + " outside " + acked + ".." + (nextSeq - 1);
        }
        while (!unacked.isEmpty() && unacked.peekFirst().seq() <= peerLast) {
            unackedBytes -= unacked.pollFirst().payload().length;
        }
        return null;
    }

    private int resend(Channel c) {
        for (Outbound m : unacked) {
            c.write(Frames.data(c.alloc(), m.seq(), m.payload()));
        }
        c.flush();
        return unacked.size();
    }

    // ---- ending ----

    private void fail(MobileChannelException.Reason reason, String message) {
        if (state == State.CLOSED || state == State.FAILED) {
            return;
        }
        MobileChannelException e = new MobileChannelException(reason, message);
        failure = e;
        Channel c = end(State.FAILED);
        if (c != null) {
            c.close();
        }
        log.warn("channel failed {}: {}", this, message);
        notifyEnd(e, e);
    }

    /** Holding the monitor: the new terminal state; returns the connection for the caller to close. */
    private Channel end(State terminal) {
        state = terminal;
        Channel c = connection;
        connection = null;
        if (retry != null) {
            retry.cancel(false);
        }
        if (watch != null) {
            watch.dispose();
        }
        onEnd.run();
        return c;
    }

    /** Off the monitor, so that subscribers can call back in from any thread. */
    private void notifyEnd(Throwable openError, Throwable failure) {
        MonoSink<MobileChannel> sink = openSink;
        openSink = null;
        ChannelLoops.GROUP.execute(() -> {
            if (sink != null) {
                sink.error(openError != null ? openError : new MobileChannelException(
                        MobileChannelException.Reason.CLOSED, "closed before open"));
            }
            if (failure != null) {
                ended.tryEmitError(failure);
            } else {
                ended.tryEmitEmpty();
            }
        });
    }

    static void requireName(String name) {
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > Frames.MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name '" + name + "' is " + bytes + " bytes, must be 1.."
                    + Frames.MAX_NAME_BYTES);
        }
    }
}
