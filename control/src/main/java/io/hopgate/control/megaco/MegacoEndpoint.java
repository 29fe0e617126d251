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
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One H.248 text endpoint on a UDP socket. See the package documentation for its threads.
 *
 * <p>Server role: every request is answered once; the reply is cached per (peer, transaction id) for
 * {@code replyCacheMs}, so a retransmitted request gets the same reply and is never executed twice (RFC 3525 /
 * H.248.1 section 8.2.3). A request still executing when its retransmission arrives, or running longer than
 * {@code pendingAfterMs}, is answered with TransactionPending. A TransactionResponseAck from the peer releases the
 * cached replies it names, at the cost of what it releases ({@link ReplyCache}). The cache is bounded in entries
 * and bytes; evictions are counted.
 *
 * <p>Threads: the socket's event loop reads each datagram (at most {@code maxMessageBytes}; a longer one is refused
 * with an error saying so), parses it and answers at once what needs no execution: acks, retransmissions (from the
 * cache), Pending for a request still waiting, refusals and malformed messages. Only fresh requests and the client
 * role's replies go to the control thread, through a queue bounded per peer and in total ({@link ControlQueue}); a
 * request that does not fit is dropped and counted (the peer retransmits it), so a flood from one peer neither grows
 * memory nor holds up another peer, and the control thread answers soon after a burst ends. A reply too large for
 * one datagram is replaced by an error reply that says so, and logged.
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

        /** A message was dropped because the control queue (the peer's share or the whole) was full. */
        default void onQueueOverflow(InetSocketAddress peer) {
        }

        /** A cached reply was evicted before its time to stay in the cache for the cache's bounds. */
        default void onReplyEvicted() {
        }

        /** A reply of {@code bytes} did not fit in one message and was replaced by an error reply. */
        default void onReplyTooLarge(InetSocketAddress peer, int bytes) {
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
    private final MegacoOptions options;
    private final RequestHandler handler;
    private final Listener listener;
    private final MegacoWriter writer;
    private final Connection connection;
    private final Channel channel;
    private final ControlQueue control;
    private final ScheduledExecutorService timer;
    private final ReplyCache answers;
    private final Map<Long, Outgoing> outgoing = new ConcurrentHashMap<>();
    private final AtomicLong nextTransactionId;
    /** One log line per cause per 10 s for what a peer can cause at will (malformed, refused, dropped). */
    private final WarnLimiter warnings = new WarnLimiter(10_000);

    private MegacoEndpoint(InetSocketAddress listen, String mid, MegacoOptions options, RequestHandler handler,
                           Listener listener) {
        this.options = options;
        this.handler = handler;
        this.listener = listener;
        this.writer = options.compact() ? MegacoWriter.compact() : MegacoWriter.pretty();
        this.control = new ControlQueue("hopgate-control", options.queuePerPeer(), options.queueTotal(),
            (long) options.queueTotal() * 2048);
        this.answers = new ReplyCache(options.replyCacheEntries(), options.replyCacheBytes(), options.replyCacheMs(),
            listener::onReplyEvicted);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hopgate-control-timer"));
        // Transaction ids start from the clock so a restarted endpoint does not reuse ids a peer still caches.
        this.nextTransactionId = new AtomicLong(1 + (System.currentTimeMillis() / 1000 % 1_000_000) * 1000);
        try {
            this.connection = UdpServer.create()
                .bindAddress(() -> listen)
                // One byte more than the limit: a datagram that fills the buffer is known to be too long.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(options.maxMessageBytes() + 1))
                .handle((in, out) -> in.receiveObject()
                    .doOnNext(message -> {
                        if (message instanceof DatagramPacket packet) {
                            onDatagram(packet);
                        }
                    })
                    .then())
                .bindNow(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            control.close();
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
    public static MegacoEndpoint bind(InetSocketAddress listen, String mid, MegacoOptions options,
                                      RequestHandler handler, Listener listener) {
        return new MegacoEndpoint(listen, mid, options, handler, listener == null ? new Listener() { } : listener);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public String mid() {
        return mid;
    }

    /** On the event loop: everything that needs no execution is answered here; the rest is queued. */
    private void onDatagram(DatagramPacket packet) {
        byte[] bytes = ByteBufUtil.getBytes(packet.content());
        InetSocketAddress peer = packet.sender();
        if (bytes.length > options.maxMessageBytes()) {
            // The buffer holds one byte more than the limit, so the datagram was at least this long (and cut).
            malformed(peer, bytes, new MegacoSyntaxException("message of more than " + options.maxMessageBytes()
                + " bytes exceeds control.max-message-bytes=" + options.maxMessageBytes(), options.maxMessageBytes(),
                1, 1));
            return;
        }
        Message message;
        try {
            message = MessageParser.parse(bytes, bytes.length);
        } catch (MegacoException e) {
            malformed(peer, bytes, e);
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
        List<Transaction> answersNow = new ArrayList<>();
        List<ReplyCache.Answer> fresh = new ArrayList<>();
        List<TransactionRequest> freshRequests = new ArrayList<>();
        List<Transaction> forClient = new ArrayList<>();
        for (Transaction t : message.transactions()) {
            if (t instanceof TransactionRequest request) {
                if (!options.allowedPeer().test(peer)) {
                    listener.onRefused(peer);
                    warn("refused", "refused H.248 request peer={} txn={} cause=not in control.allowed-peers", peer,
                        request.id());
                    answersNow.add(TransactionReply.error(request.id(), ErrorDescriptor.of(ErrorCode.UNAUTHORIZED,
                        "peer " + peer.getAddress().getHostAddress() + ":" + peer.getPort()
                            + " is not in control.allowed-peers")));
                    continue;
                }
                ReplyCache.Answer answer = new ReplyCache.Answer(peer, request.id(), message.version());
                ReplyCache.Answer existing = answers.putIfAbsent(answer);
                if (existing == null) {
                    fresh.add(answer);
                    freshRequests.add(request);
                    continue;
                }
                listener.onRetransmissionAnswered(peer, request.id());
                byte[] cached = existing.reply;
                if (cached == null) {
                    answersNow.add(new TransactionPending(request.id()));
                } else {
                    sendRaw(peer, cached);
                }
            } else if (t instanceof TransactionResponseAck ack) {
                for (long[] range : ack.ranges()) {
                    answers.acknowledge(peer, range[0], range[1]);
                }
            } else {
                forClient.add(t);
            }
        }
        if (!answersNow.isEmpty()) {
            send(peer, new Message(message.version(), mid, answersNow));
        }
        if (!fresh.isEmpty() || !forClient.isEmpty()) {
            queue(peer, bytes.length, message.version(), fresh, freshRequests, forClient);
        }
    }

    /** Hands the fresh requests and the client role's replies of one message to the control thread. */
    private void queue(InetSocketAddress peer, int size, int version, List<ReplyCache.Answer> fresh,
                       List<TransactionRequest> requests, List<Transaction> forClient) {
        boolean queued = control.offer(peer.getAddress(), size, () -> {
            for (Transaction t : forClient) {
                if (t instanceof TransactionReply reply) {
                    onReply(peer, reply);
                } else if (t instanceof TransactionPending pending) {
                    onPending(peer, pending.id());
                }
            }
            List<Transaction> replies = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                replies.add(execute(peer, version, requests.get(i), fresh.get(i)));
            }
            if (!replies.isEmpty()) {
                sendReplies(peer, version, replies, fresh);
            }
        });
        if (queued) {
            for (ReplyCache.Answer a : fresh) {
                // Counted from arrival: a request waiting in the queue is as much "in progress" as one executing.
                timer.schedule(() -> {
                    if (a.reply == null) {
                        send(peer, new Message(version, mid, List.of(new TransactionPending(a.id))));
                    }
                }, options.pendingAfterMs(), TimeUnit.MILLISECONDS);
            }
        } else {
            for (ReplyCache.Answer a : fresh) {
                answers.forget(a);   // never executed: its retransmission is a fresh request
            }
            listener.onQueueOverflow(peer);
            warn("queue-full", "dropped H.248 message peer={} bytes={} cause=control queue full ({} per peer, {} in"
                + " total); the peer retransmits it", peer, size, options.queuePerPeer(), options.queueTotal());
        }
    }

    private void malformed(InetSocketAddress peer, byte[] bytes, MegacoException e) {
        listener.onMalformed(peer, e);
        warn("malformed:" + e.code(), "malformed H.248 message peer={} code={} cause={}", peer, e.code(),
            WireText.escape(e.text()));
        int version = e instanceof MegacoSyntaxException syntax && syntax.version() > 0
            ? Math.min(syntax.version(), 3) : headerVersion(bytes);
        if (e instanceof MegacoSyntaxException syntax && syntax.transactionId() >= 0) {
            // An error inside a readable transaction is answered in its reply, so the peer's transaction ends.
            send(peer, new Message(version, mid, List.of(TransactionReply.error(syntax.transactionId(),
                e.toDescriptor()))));
        } else {
            send(peer, Message.error(version, mid, e.toDescriptor()));
        }
    }

    /** Logs at most one line per {@code cause} per 10 s; the line says how many were left out before it. */
    private void warn(String cause, String format, Object... args) {
        long suppressed = warnings.admit(cause, System.nanoTime());
        if (suppressed >= 0) {
            Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
            withCount[args.length] = suppressed;
            LOG.warn(format + " suppressed-since-last={}", withCount);
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

    /** On the control thread: executes one fresh request and caches its reply. */
    private TransactionReply execute(InetSocketAddress peer, int version, TransactionRequest request,
                                     ReplyCache.Answer answer) {
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
        }
        // Cache the reply as sent alone, so a retransmission is answered with exactly these bytes.
        byte[] bytes = writer.writeBytes(new Message(version, mid, List.of(reply)));
        if (bytes.length > options.maxMessageBytes()) {
            listener.onReplyTooLarge(peer, bytes.length);
            LOG.warn("reply too large peer={} txn={} bytes={} limit={} cause=exceeds control.max-message-bytes;"
                + " answered with error 510 instead", peer, request.id(), bytes.length, options.maxMessageBytes());
            reply = TransactionReply.error(request.id(), ErrorDescriptor.of(ErrorCode.INSUFFICIENT_RESOURCES,
                "reply of " + bytes.length + " bytes exceeds control.max-message-bytes=" + options.maxMessageBytes()
                    + " (one UDP datagram); the transaction was executed but its reply cannot be sent: audit fewer"
                    + " terminations or descriptors per transaction"));
            bytes = writer.writeBytes(new Message(version, mid, List.of(reply)));
        }
        answers.complete(answer, bytes, System.nanoTime());
        return reply;
    }

    /** The replies of one message together when they fit in one datagram, else each alone (as cached). */
    private void sendReplies(InetSocketAddress peer, int version, List<Transaction> replies,
                             List<ReplyCache.Answer> cached) {
        byte[] together = replies.size() == 1 ? cached.get(0).reply
            : writer.writeBytes(new Message(version, mid, replies));
        if (together.length <= options.maxMessageBytes()) {
            sendRaw(peer, together);
            return;
        }
        for (ReplyCache.Answer a : cached) {
            sendRaw(peer, a.reply);
        }
    }

    private void expireAnswers() {
        answers.expire(System.nanoTime());
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
        byte[] bytes = writer.writeBytes(message);
        if (bytes.length > options.maxMessageBytes()) {
            listener.onReplyTooLarge(peer, bytes.length);
            warn("too-large", "message not sent peer={} bytes={} cause=exceeds control.max-message-bytes={}", peer,
                bytes.length, options.maxMessageBytes());
            return;
        }
        sendRaw(peer, bytes);
    }

    private void sendRaw(InetSocketAddress peer, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        channel.writeAndFlush(new DatagramPacket(buf, peer));
    }

    /** Requests currently cached, queued or executing (for tests and metrics). */
    public int cachedAnswers() {
        return answers.size();
    }

    /** Bytes of the replies currently cached. */
    public long cachedReplyBytes() {
        return answers.bytes();
    }

    /** Messages waiting for the control thread. */
    public int queuedMessages() {
        return control.queued();
    }

    @Override
    public void close() {
        for (Outgoing o : outgoing.values()) {
            o.reply.completeExceptionally(new IllegalStateException("endpoint closed"));
        }
        outgoing.clear();
        connection.disposeNow(Duration.ofSeconds(3));
        control.close();
        timer.shutdownNow();
    }
}
