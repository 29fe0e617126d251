package io.hopgate.control.megaco;

import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.MegacoException;
import io.hopgate.control.h248.MegacoSyntaxException;
import io.hopgate.control.h248.MegacoWriter;
import io.hopgate.control.h248.Message;
import io.hopgate.control.h248.MessageParser;
import io.hopgate.control.h248.Transaction;
import io.hopgate.control.h248.TransactionPending;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.h248.TransactionRequest;
import io.hopgate.control.h248.TransactionResponseAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.Connection;
import reactor.netty.udp.UdpServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One H.248 text endpoint on a UDP socket. See the package documentation for its threads.
 *
 * <p>Server role: every request is answered once; the reply is cached per (peer, transaction id) for
 * {@code replyCacheMs}, so a retransmitted request gets the same reply and is never executed twice (RFC 3525 /
 * H.248.1 section 8.2.3). A request still executing when its retransmission arrives, or running longer than
 * {@code pendingAfterMs}, is answered with TransactionPending. A TransactionResponseAck from the peer releases the
 * cached replies it names.
 *
 * <p>Client role: {@link #request} sends a transaction and retransmits it with exponential backoff until a reply
 * arrives; Pending stretches the wait; the future fails with a {@link TimeoutException} after the last attempt.
 */
public final class MegacoEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MegacoEndpoint.class);

    /** Executes one transaction request from {@code peer}; runs on the endpoint's control thread. */
    @FunctionalInterface
    public interface RequestHandler {
        TransactionReply onRequest(InetSocketAddress peer, int version, TransactionRequest request);
    }

    /** Observes what the endpoint does, for metrics. All methods default to nothing. */
    public interface Listener {
        default void onRefused(InetSocketAddress peer) {
        }

        default void onMalformed(InetSocketAddress peer, MegacoException error) {
        }

        default void onRetransmissionAnswered(InetSocketAddress peer, long transactionId) {
        }
    }

    /**
     * @param replyCacheMs      how long a reply stays cached for retransmitted requests
     * @param pendingAfterMs    a request still running after this long gets a TransactionPending
     * @param retransmitMs      the client role's first retransmission interval (doubles each time, capped at 4 s)
     * @param maxRetransmits    retransmissions before the client role gives up
     * @param pendingWaitMs     how long the client waits after a Pending before retransmitting again
     * @param allowedPeer       which peers may send requests; others get Error 402 and are counted
     * @param compact           write compact (short-token) text instead of pretty
     */
    public record Options(long replyCacheMs, long pendingAfterMs, long retransmitMs, int maxRetransmits,
                          long pendingWaitMs, Predicate<InetSocketAddress> allowedPeer, boolean compact) {
        public static Options defaults() {
            return new Options(30_000, 100, 200, 5, 5_000, peer -> true, false);
        }

        public Options withAllowedPeer(Predicate<InetSocketAddress> allowed) {
            return new Options(replyCacheMs, pendingAfterMs, retransmitMs, maxRetransmits, pendingWaitMs, allowed,
                compact);
        }

        public Options withRetransmit(long firstMs, int max) {
            return new Options(replyCacheMs, pendingAfterMs, firstMs, max, pendingWaitMs, allowedPeer, compact);
        }

        public Options withReplyCacheMs(long ms) {
            return new Options(ms, pendingAfterMs, retransmitMs, maxRetransmits, pendingWaitMs, allowedPeer, compact);
        }

        public Options withPendingAfterMs(long ms) {
            return new Options(replyCacheMs, ms, retransmitMs, maxRetransmits, pendingWaitMs, allowedPeer, compact);
        }
    }

    private record PeerTransaction(InetSocketAddress peer, long id) {
    }

    /** A cached answer; {@code reply} is null while the request is still executing. */
    private static final class Answer {
        final int version;
        volatile byte[] reply;
        volatile long expiresAtNanos = Long.MAX_VALUE;

        Answer(int version) {
            this.version = version;
        }
    }

    private final class Outgoing {
        final InetSocketAddress peer;
        final long id;
        final byte[] bytes;
        final CompletableFuture<TransactionReply> reply = new CompletableFuture<>();
        int attempts;
        long intervalMs;
        ScheduledFuture<?> timer;

        Outgoing(InetSocketAddress peer, long id, byte[] bytes) {
            this.peer = peer;
            this.id = id;
            this.bytes = bytes;
            this.intervalMs = options.retransmitMs();
        }
    }

    private final String mid;
    private final Options options;
    private final RequestHandler handler;
    private final Listener listener;
    private final MegacoWriter writer;
    private final Connection connection;
    private final Channel channel;
    private final ExecutorService control;
    private final ScheduledExecutorService timer;
    private final Map<PeerTransaction, Answer> answers = new ConcurrentHashMap<>();
    private final Map<Long, Outgoing> outgoing = new ConcurrentHashMap<>();
    private final AtomicLong nextTransactionId;
    /** Control-thread only: rate limit of the malformed-message log line. */
    private long lastMalformedLogNanos = System.nanoTime() - 1_000_000_000L;
    private long unloggedMalformed;

    private MegacoEndpoint(InetSocketAddress listen, String mid, Options options, RequestHandler handler,
                           Listener listener) {
        this.options = options;
        this.handler = handler;
        this.listener = listener;
        this.writer = options.compact() ? MegacoWriter.compact() : MegacoWriter.pretty();
        this.control = Executors.newSingleThreadExecutor(r -> daemon(r, "hopgate-control"));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hopgate-control-timer"));
        // Transaction ids start from the clock so a restarted endpoint does not reuse ids a peer still caches.
        this.nextTransactionId = new AtomicLong(1 + (System.currentTimeMillis() / 1000 % 1_000_000) * 1000);
        try {
            this.connection = UdpServer.create()
                .bindAddress(() -> listen)
                .handle((in, out) -> in.receiveObject()
                    .doOnNext(message -> {
                        if (message instanceof DatagramPacket packet) {
                            onDatagram(packet);
                        }
                    })
                    .then())
                .bindNow(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            control.shutdownNow();
            timer.shutdownNow();
            throw new IllegalStateException("cannot bind H.248 endpoint on " + listen.getHostString() + ":"
                + listen.getPort() + ": " + rootMessage(e), e);
        }
        this.channel = connection.channel();
        // An mId naming port 0 (listen on any free port) names the port actually bound instead.
        this.mid = mid.endsWith("]:0") ? mid.substring(0, mid.length() - 1) + address().getPort() : mid;
        timer.scheduleWithFixedDelay(this::expireAnswers, 1, 1, TimeUnit.SECONDS);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /** Binds the endpoint. {@code handler} may be null for a pure client (requests then get Error 501). */
    public static MegacoEndpoint bind(InetSocketAddress listen, String mid, Options options, RequestHandler handler,
                                      Listener listener) {
        return new MegacoEndpoint(listen, mid, options, handler, listener == null ? new Listener() { } : listener);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public String mid() {
        return mid;
    }

    private void onDatagram(DatagramPacket packet) {
        // Copied off the event loop at once: parsing and execution happen on the control thread.
        byte[] bytes = ByteBufUtil.getBytes(packet.content());
        InetSocketAddress peer = packet.sender();
        control.execute(() -> onMessage(peer, bytes));
    }

    private void onMessage(InetSocketAddress peer, byte[] bytes) {
        Message message;
        try {
            message = MessageParser.parse(bytes, bytes.length);
        } catch (MegacoException e) {
            listener.onMalformed(peer, e);
            // A flood of junk must not flood the log: one line per second, with how many were not logged.
            long now = System.nanoTime();
            if (now - lastMalformedLogNanos >= 1_000_000_000L) {
                LOG.warn("malformed H.248 message peer={} code={} cause={} unlogged-since-last={}", peer, e.code(),
                    e.text(), unloggedMalformed);
                lastMalformedLogNanos = now;
                unloggedMalformed = 0;
            } else {
                unloggedMalformed++;
            }
            int version = e instanceof MegacoSyntaxException syntax && syntax.version() > 0
                ? Math.min(syntax.version(), 3) : headerVersion(bytes);
            if (e instanceof MegacoSyntaxException syntax && syntax.transactionId() >= 0) {
                // An error inside a readable transaction is answered in its reply, so the peer's transaction ends.
                send(peer, new Message(version, mid, List.of(TransactionReply.error(syntax.transactionId(),
                    e.toDescriptor()))));
            } else {
                send(peer, Message.error(version, mid, e.toDescriptor()));
            }
            return;
        } catch (RuntimeException e) {
            // The parser promises MegacoException only; anything else is our bug, still answered, never fatal.
            LOG.error("H.248 parser failure peer={}", peer, e);
            send(peer, Message.error(1, mid, ErrorDescriptor.of(ErrorCode.SYNTAX_ERROR_IN_MESSAGE,
                "unreadable message: " + e)));
            return;
        }
        if (message.version() < 1 || message.version() > 3) {
            send(peer, Message.error(1, mid, ErrorDescriptor.of(ErrorCode.VERSION_NOT_SUPPORTED,
                "version " + message.version() + " not supported; this gateway speaks 1 to 3")));
            return;
        }
        List<Transaction> answersOut = new ArrayList<>();
        for (Transaction t : message.transactions()) {
            if (t instanceof TransactionRequest request) {
                Transaction answer = onRequest(peer, message.version(), request);
                if (answer != null) {
                    answersOut.add(answer);
                }
            } else if (t instanceof TransactionReply reply) {
                onReply(peer, reply);
            } else if (t instanceof TransactionPending pending) {
                onPending(peer, pending.id());
            } else if (t instanceof TransactionResponseAck ack) {
                answers.keySet().removeIf(k -> k.peer().equals(peer) && ack.acknowledges(k.id()));
            }
        }
        if (!answersOut.isEmpty()) {
            send(peer, new Message(message.version(), mid, answersOut));
        }
    }

    private static final java.util.regex.Pattern HEADER_VERSION =
        java.util.regex.Pattern.compile("^\\s*(?:MEGACO|!)/([1-3])\\b", java.util.regex.Pattern.CASE_INSENSITIVE);

    /** The version in a message's header when it can be read, else 1: error replies answer in the peer's version. */
    static int headerVersion(byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 32), java.nio.charset.StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher m = HEADER_VERSION.matcher(head);
        return m.find() ? m.group(1).charAt(0) - '0' : 1;
    }

    /** Returns the reply (or Pending) to send, or null when it was already sent some other way. */
    private Transaction onRequest(InetSocketAddress peer, int version, TransactionRequest request) {
        if (!options.allowedPeer().test(peer)) {
            listener.onRefused(peer);
            LOG.warn("refused H.248 request peer={} txn={} cause=not in control.allowed-peers", peer, request.id());
            return TransactionReply.error(request.id(), ErrorDescriptor.of(ErrorCode.UNAUTHORIZED,
                "peer " + peer.getAddress().getHostAddress() + ":" + peer.getPort()
                    + " is not in control.allowed-peers"));
        }
        PeerTransaction key = new PeerTransaction(peer, request.id());
        Answer fresh = new Answer(version);
        Answer existing = answers.putIfAbsent(key, fresh);
        if (existing != null) {
            listener.onRetransmissionAnswered(peer, request.id());
            byte[] cached = existing.reply;
            if (cached == null) {
                return new TransactionPending(request.id());
            }
            sendRaw(peer, cached);
            return null;
        }
        ScheduledFuture<?> pending = timer.schedule(() -> {
            if (fresh.reply == null) {
                send(peer, new Message(version, mid, List.of(new TransactionPending(request.id()))));
            }
        }, options.pendingAfterMs(), TimeUnit.MILLISECONDS);
        TransactionReply reply;
        try {
            reply = handler == null
                ? TransactionReply.error(request.id(), ErrorDescriptor.of(ErrorCode.NOT_IMPLEMENTED,
                    "this endpoint does not execute requests"))
                : handler.onRequest(peer, version, request);
        } catch (MegacoException e) {
            reply = TransactionReply.error(request.id(), e.toDescriptor());
        } catch (RuntimeException e) {
            LOG.error("internal failure executing txn={} peer={}", request.id(), peer, e);
            reply = TransactionReply.error(request.id(), ErrorDescriptor.of(ErrorCode.INTERNAL_SOFTWARE_FAILURE,
                "internal failure: " + e));
        } finally {
            pending.cancel(false);
        }
        // Cache the reply as sent alone, so a retransmission is answered with exactly these bytes.
        fresh.reply = writer.writeBytes(new Message(version, mid, List.of(reply)));
        fresh.expiresAtNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.replyCacheMs());
        return reply;
    }

    private void expireAnswers() {
        long now = System.nanoTime();
        answers.values().removeIf(a -> a.reply != null && now - a.expiresAtNanos > 0);
    }

    /** Client role: sends one transaction to {@code peer}; the future completes with its reply. */
    public CompletableFuture<TransactionReply> request(InetSocketAddress peer, int version,
                                                       List<ActionRequest> actions) {
        long id = nextTransactionId.getAndIncrement() & 0xFFFF_FFFFL;
        byte[] bytes = writer.writeBytes(new Message(version, mid, List.of(new TransactionRequest(id, actions))));
        Outgoing o = new Outgoing(peer, id, bytes);
        outgoing.put(id, o);
        synchronized (o) {
            sendRaw(peer, bytes);
            o.timer = timer.schedule(() -> onRetransmitTimer(o), o.intervalMs, TimeUnit.MILLISECONDS);
        }
        return o.reply;
    }

    private void onRetransmitTimer(Outgoing o) {
        synchronized (o) {
            if (o.reply.isDone()) {
                return;
            }
            if (o.attempts >= options.maxRetransmits()) {
                outgoing.remove(o.id);
                o.reply.completeExceptionally(new TimeoutException("no reply from " + o.peer.getHostString() + ":"
                    + o.peer.getPort() + " to transaction " + o.id + " after " + (o.attempts + 1) + " sends"));
                return;
            }
            o.attempts++;
            sendRaw(o.peer, o.bytes);
            o.intervalMs = Math.min(o.intervalMs * 2, 4_000);
            o.timer = timer.schedule(() -> onRetransmitTimer(o), o.intervalMs, TimeUnit.MILLISECONDS);
        }
    }

    private void onReply(InetSocketAddress peer, TransactionReply reply) {
        Outgoing o = outgoing.get(reply.id());
        if (o == null || !o.peer.equals(peer)) {
            return; // late duplicate of a reply already taken
        }
        outgoing.remove(reply.id());
        synchronized (o) {
            if (o.timer != null) {
                o.timer.cancel(false);
            }
        }
        if (reply.immAckRequired()) {
            send(peer, new Message(1, mid, List.of(TransactionResponseAck.of(reply.id()))));
        }
        o.reply.complete(reply);
    }

    private void onPending(InetSocketAddress peer, long id) {
        Outgoing o = outgoing.get(id);
        if (o == null || !o.peer.equals(peer)) {
            return;
        }
        synchronized (o) {
            if (o.timer != null) {
                o.timer.cancel(false);
            }
            // The peer is working on it: wait longer before the next retransmission, without using an attempt.
            o.timer = timer.schedule(() -> onRetransmitTimer(o), options.pendingWaitMs(), TimeUnit.MILLISECONDS);
        }
    }

    /** Sends a message (e.g. a Notify reply or an unsolicited error) to a peer. */
    public void send(InetSocketAddress peer, Message message) {
        sendRaw(peer, writer.writeBytes(message));
    }

    private void sendRaw(InetSocketAddress peer, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        channel.writeAndFlush(new DatagramPacket(buf, peer));
    }

    /** Requests currently cached or executing (for tests and metrics). */
    public int cachedAnswers() {
        return answers.size();
    }

    @Override
    public void close() {
        for (Outgoing o : outgoing.values()) {
            o.reply.completeExceptionally(new IllegalStateException("endpoint closed"));
        }
        outgoing.clear();
        connection.disposeNow(Duration.ofSeconds(3));
        control.shutdown();
        timer.shutdownNow();
        try {
            control.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
