package io.hopgate.media;

import io.hopgate.rtp.EgressRewriter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.Connection;
import reactor.netty.udp.UdpServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The media plane's command API: contexts, terminations, modes, remotes, topology. Control threads call it; the
 * forwarding threads never take its lock. Each command publishes its effect with release stores (mode, remote,
 * route tables), so it takes effect at the next packet.
 *
 * <p>Threads: every public method is safe to call from any thread; commands are serialised by the instance lock.
 */
public final class MediaPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaPlane.class);
    /** Datagrams larger than this are truncated by the kernel and then fail RTP validation. */
    static final int MAX_DATAGRAM_BYTES = 2048;
    /** Datagrams per recvmmsg call: Netty reads up to this many into one buffer before handing them over. */
    static final int RECV_BATCH = 16;
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(5);

    private final MediaPlaneConfig config;
    private final EventLoopGroup group;
    private final IoLoop[] loops;
    private final UdpServer[] servers;
    private final PortPool ports;
    private final DescriptorBudget descriptors = new DescriptorBudget();
    private final Map<Integer, MediaContext> contexts = new ConcurrentHashMap<>();
    private final Map<String, Termination> terminations = new ConcurrentHashMap<>();
    private final boolean nativeTransport;
    private int nextContextId = 1;
    private int nextTerminationIndex = 1;
    private int nextLoop;
    private boolean closed;
    /** Counts of subtracted terminations, so totals never go backwards when a call ends. */
    private PacketTotals retired = PacketTotals.ZERO;

    private MediaPlane(MediaPlaneConfig config) {
        this.config = config;
        this.ports = new PortPool(config.portMin(), config.portMax());
        this.nativeTransport = Epoll.isAvailable();
        IoHandlerFactory handlers = nativeTransport ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("hopgate-io", true),
            handlers);
        List<IoLoop> list = new ArrayList<>();
        for (EventExecutor executor : group) {
            list.add(new IoLoop((EventLoop) executor, config));
        }
        this.loops = list.toArray(new IoLoop[0]);
        this.servers = new UdpServer[loops.length];
        for (int i = 0; i < loops.length; i++) {
            UdpServer server = UdpServer.create()
                .runOn(loops[i].eventLoop)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM_BYTES * RECV_BATCH));
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
                server = server.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM_BYTES);
            }
            servers[i] = server;
        }
        if (!nativeTransport) {
            LOG.warn("native epoll transport unavailable, using NIO (no recvmmsg batching) cause={}",
                String.valueOf(Epoll.unavailabilityCause()));
        }
    }

    /** Starts the I/O threads. Nothing is bound until terminations are added. */
    public static MediaPlane start(MediaPlaneConfig config) {
        MediaPlane plane = new MediaPlane(config);
        LOG.info("media plane started address={} ports={}-{} io-threads={} transport={} continuity={}",
            config.address().getHostAddress(), config.portMin(), config.portMax(), config.ioThreads(),
            plane.nativeTransport ? "epoll" : "nio", config.rewriteContinuity() ? "rewrite" : "passthrough");
        return plane;
    }

    public MediaPlaneConfig config() {
        return config;
    }

    public boolean nativeTransport() {
        return nativeTransport;
    }

    /** Creates an empty context on the next I/O loop (round robin). */
    public synchronized MediaContext createContext() throws MediaPlaneException {
        ensureOpen();
        if (contexts.size() >= config.maxContexts()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXTS_EXHAUSTED,
                "context limit reached: " + contexts.size() + " of " + config.maxContexts()
                    + " contexts in use (media.max-contexts=" + config.maxContexts() + ")");
        }
        int id = nextContextId++;
        MediaContext context = new MediaContext(id, loops[nextLoop++ % loops.length]);
        contexts.put(id, context);
        return context;
    }

    /**
     * Adds a new termination to {@code context}: binds an RTP/RTCP port pair from the pool, sets the mode and, when
     * given, the remote address (from then on the only accepted source).
     */
    public synchronized Termination add(MediaContext context, StreamMode mode, InetSocketAddress remoteRtp)
        throws MediaPlaneException {
        ensureOpen();
        requireLive(context);
        if (context.size() >= config.maxTerminationsPerContext()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXT_FULL,
                "context " + context.id() + " is full: " + context.size() + " terminations "
                    + "(media.max-terminations-per-context=" + config.maxTerminationsPerContext() + ")");
        }
        int index = nextTerminationIndex++;
        Termination termination = bindPair(context, index);
        termination.mode(mode);
        if (remoteRtp != null) {
            termination.remote(RemoteAddress.of(remoteRtp));
            applyRemoteOnLoop(termination);
        }
        termination.context(context);
        terminations.put(termination.id(), termination);
        context.add(termination);
        return termination;
    }

    private Termination bindPair(MediaContext context, int index) throws MediaPlaneException {
        descriptors.reserve(2);
        int attempts = 0;
        while (true) {
            int port = ports.acquire();
            if (port < 0) {
                throw new MediaPlaneException(MediaPlaneException.Kind.PORTS_EXHAUSTED,
                    "port range exhausted: " + ports.inUse() + " of " + ports.capacity() + " port pairs in use ("
                        + ports.describe() + ")");
            }
            Termination t = new Termination("rtp/" + index, index, new InetSocketAddress(config.address(), port));
            t.egress.passthrough(!config.rewriteContinuity());
            t.rtpHandler = new IngressHandler(t, false, context.loop);
            t.rtcpHandler = new IngressHandler(t, true, context.loop);
            Channel rtp = null;
            try {
                rtp = bind(context.loop, port, t.rtpHandler);
                Channel rtcp = bind(context.loop, port + 1, t.rtcpHandler);
                t.rtpChannel = rtp;
                t.rtcpChannel = rtcp;
                return t;
            } catch (RuntimeException e) {
                if (rtp != null) {
                    rtp.close().awaitUninterruptibly(BIND_TIMEOUT.toMillis());
                }
                // The pair is taken by another socket (often a brief one: an ephemeral port): try the next pair and
                // put this one at the back of the pool, so it is tried again later instead of being lost for good.
                LOG.warn("cannot bind media port pair port={} cause={}", port, e.toString());
                ports.release(port);
                if (++attempts >= 16) {
                    throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE,
                        "cannot bind media ports on " + config.address().getHostAddress() + " (last tried " + port
                            + "/" + (port + 1) + "): " + e.getMessage(), e);
                }
            }
        }
    }

    private Channel bind(IoLoop loop, int port, IngressHandler handler) {
        int i = indexOf(loop);
        InetSocketAddress address = new InetSocketAddress(config.address(), port);
        Connection connection = servers[i]
            .bindAddress(() -> address)
            .doOnChannelInit((observer, channel, remote) -> channel.pipeline().addFirst("hopgate.ingress", handler))
            .bindNow(BIND_TIMEOUT);
        Channel channel = connection.channel();
        // Reactor Netty leaves auto-read off until a subscriber asks for inbound data; our head handler consumes
        // every datagram itself, so reading starts right away.
        channel.config().setAutoRead(true);
        return channel;
    }

    private int indexOf(IoLoop loop) {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i] == loop) {
                return i;
            }
        }
        throw new IllegalStateException("unknown loop");
    }

    /** Sets the stream mode with one release store. */
    public synchronized void mode(Termination termination, StreamMode mode) throws MediaPlaneException {
        requireLive(termination);
        termination.mode(mode);
    }

    /**
     * Points the termination at a new peer with a hard switch: from the next packet on only the new address is
     * accepted (a re-point between gateways must not keep forwarding the abandoned path).
     */
    public void remote(Termination termination, InetSocketAddress remoteRtp) throws MediaPlaneException {
        remote(termination, remoteRtp, false);
    }

    /**
     * Points the termination at a new peer. With {@code dualReceive} (a party that moves, RFC 3264 section 8.3.1)
     * the previous address stays accepted as a source until the first packet from the new one arrives, and at most
     * for {@code media.dual-receive-ms}; the two are never interleaved. Without it the switch is hard.
     */
    public synchronized void remote(Termination termination, InetSocketAddress remoteRtp, boolean dualReceive)
        throws MediaPlaneException {
        requireLive(termination);
        if (remoteRtp == null) {
            throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT, "remote address is missing");
        }
        RemoteAddress old = termination.remote();
        RemoteAddress next = RemoteAddress.of(remoteRtp);
        if (dualReceive && old != null && !old.rtp().equals(remoteRtp) && config.dualReceiveMs() > 0) {
            next = new RemoteAddress(next.rtp(), next.rtcp(), old.rtp(),
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.dualReceiveMs()));
        }
        termination.movingOnUnreachable = false;
        // Published on the loop together with the socket's (dis)connect: had the remote been published first, the
        // new peer's first packets could still meet a socket connected to the old one and be dropped by the kernel.
        IoLoop loop = termination.rtpHandler.loop;
        RemoteAddress published = next;
        if (!config.connectSockets()) {
            termination.remote(published); // one release store; nothing to (dis)connect
        } else if (!loop.eventLoop.submit(() -> {
            termination.remote(published);
            loop.applyRemote(termination);
        }).awaitUninterruptibly(BIND_TIMEOUT.toMillis())) {
            termination.remote(published);
            LOG.warn("I/O loop slow to apply a remote change term={} remote={}", termination.id(), remoteRtp);
        }
        if (termination.isMoving()) {
            endMove(termination);
        }
    }

    /**
     * Marks a termination as moving (docs/architecture.md section 2.7): from the next packet on, RTP for it is held in
     * order in a
     * bounded buffer ({@code media.move-buffer-ms}, {@code media.move-buffer-packets}) instead of being sent to the
     * old address. A new remote address (or {@code moving(t, false)}) ends the move: what was held is sent first,
     * in order, then live traffic.
     */
    public synchronized void moving(Termination termination, boolean on) throws MediaPlaneException {
        requireLive(termination);
        termination.movingOnUnreachable = false;
        if (on) {
            termination.moveBuffer(config);
            termination.moving(true);
        } else if (termination.isMoving()) {
            endMove(termination);
        }
    }

    /**
     * Lets the owning loop connect the RTP socket to the termination's first remote address, and waits for it: a
     * packet that met the socket while it was being connected was seen lost (twice in many test runs, always the
     * first packet of a call), so a termination is handed out only once its socket is settled.
     */
    private void applyRemoteOnLoop(Termination termination) {
        if (!config.connectSockets()) {
            return;
        }
        IoLoop loop = termination.rtpHandler.loop;
        if (!loop.eventLoop.submit(() -> loop.applyRemote(termination))
            .awaitUninterruptibly(BIND_TIMEOUT.toMillis())) {
            LOG.warn("I/O loop slow to connect a new termination term={}", termination.id());
        }
    }

    private static void endMove(Termination termination) {
        termination.moving(false);
        // Flush on the owning loop even when no live packet comes to trigger it; the loop orders it with live ones.
        IoLoop loop = termination.rtpHandler.loop;
        loop.eventLoop.execute(() -> loop.endMove(termination));
    }

    /** Sets the payload clock rate (Hz, from SDP rtpmap) used by egress continuity. */
    public synchronized void clockRate(Termination termination, int hz) throws MediaPlaneException {
        requireLive(termination);
        termination.clockRate(hz);
    }

    /** Sets the topology of an ordered pair; the route tables of the context are rebuilt and published whole. */
    public synchronized void topology(MediaContext context, Termination from, Termination to, Topology topology)
        throws MediaPlaneException {
        requireLive(context);
        requireMember(context, from);
        requireMember(context, to);
        if (from == to) {
            throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT,
                "topology names " + from.id() + " twice");
        }
        context.topology(from, to, topology);
    }

    /**
     * Moves a termination to another context. Its topology in the old context is forgotten (bothway in the new one);
     * when the contexts live on different I/O loops the sockets are re-registered on the new loop, which keeps the
     * rule that one loop owns all egress state of a context. The old context is deleted when it becomes empty.
     */
    public synchronized void move(Termination termination, MediaContext to) throws MediaPlaneException {
        requireLive(termination);
        requireLive(to);
        MediaContext from = termination.context();
        if (from == to) {
            return;
        }
        if (to.size() >= config.maxTerminationsPerContext()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXT_FULL,
                "context " + to.id() + " is full: " + to.size() + " terminations "
                    + "(media.max-terminations-per-context=" + config.maxTerminationsPerContext() + ")");
        }
        from.remove(termination);
        if (from.loop != to.loop) {
            reRegister(termination.rtpChannel, termination.rtpHandler, to.loop);
            reRegister(termination.rtcpChannel, termination.rtcpHandler, to.loop);
        }
        termination.context(to);
        to.add(termination);
        if (from.size() == 0) {
            contexts.remove(from.id());
        }
    }

    @SuppressWarnings("deprecation") // EventLoop.register(Channel) is the supported way to re-home a channel in 4.x
    private static void reRegister(Channel channel, IngressHandler handler, IoLoop loop) throws MediaPlaneException {
        if (!channel.deregister().awaitUninterruptibly(BIND_TIMEOUT.toMillis())) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "timeout moving socket " + channel);
        }
        handler.loop = loop;
        if (!loop.eventLoop.register(channel).awaitUninterruptibly(BIND_TIMEOUT.toMillis())) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "timeout moving socket " + channel);
        }
    }

    /**
     * Removes a termination, closes its sockets and returns what it carried. The context is deleted when it becomes
     * empty. Statistics are read after the sockets' close completed on the I/O loop, so they are final.
     */
    public synchronized TerminationStatistics subtract(Termination termination) throws MediaPlaneException {
        requireLive(termination);
        MediaContext context = termination.context();
        context.remove(termination);
        termination.mode(StreamMode.INACTIVE);
        terminations.remove(termination.id());
        closeSockets(termination);
        ports.release(termination.rtpPort());
        termination.context(null);
        if (context.size() == 0) {
            contexts.remove(context.id());
        }
        TerminationStatistics statistics = termination.statistics();
        retired = retired.plus(statistics);
        return statistics;
    }

    /** Packet counts over the plane's life: subtracted terminations plus the live ones (a few packets old). */
    public PacketTotals totals() {
        PacketTotals sum;
        synchronized (this) {
            sum = retired;
        }
        for (Termination t : terminations.values()) {
            sum = sum.plus(t.statistics());
        }
        return sum;
    }

    private static void closeSockets(Termination termination) {
        termination.rtpChannel.close().awaitUninterruptibly(BIND_TIMEOUT.toMillis());
        termination.rtcpChannel.close().awaitUninterruptibly(BIND_TIMEOUT.toMillis());
        MoveBuffer held = termination.moveBuffer;
        if (held != null) {
            // Released on the loop that owns the buffer, after the close so nothing is added behind it.
            termination.rtpHandler.loop.eventLoop.submit(held::clear).awaitUninterruptibly(BIND_TIMEOUT.toMillis());
        }
    }

    /** Subtracts every termination of the context and deletes it. */
    public synchronized List<TerminationStatistics> deleteContext(MediaContext context) throws MediaPlaneException {
        requireLive(context);
        List<TerminationStatistics> out = new ArrayList<>();
        for (Termination t : context.terminations()) {
            out.add(subtract(t));
        }
        contexts.remove(context.id());
        return out;
    }

    /** Deletes a context that has no terminations (H.248: a context ceases to exist when its last one leaves). */
    public synchronized void deleteIfEmpty(MediaContext context) {
        if (context.size() == 0) {
            contexts.remove(context.id());
        }
    }

    public MediaContext context(int id) {
        return contexts.get(id);
    }

    public Termination termination(String id) {
        return terminations.get(id);
    }

    public Collection<MediaContext> contexts() {
        return List.copyOf(contexts.values());
    }

    public Collection<Termination> terminations() {
        return List.copyOf(terminations.values());
    }

    public synchronized int portPairsInUse() {
        return ports.inUse();
    }

    public int portPairCapacity() {
        return ports.capacity();
    }

    public boolean isLive(Termination termination) {
        return terminations.get(termination.id()) == termination;
    }

    /** Ids chosen from now on start here (positive): a start epoch, so stale commands find no new call (docs/ha.md). */
    public synchronized void firstIds(int contextId, int terminationIndex) {
        nextContextId = contextId;
        nextTerminationIndex = terminationIndex;
    }

    /**
     * Re-creates an empty context under the id it had before a gateway restart (call state restore); ids chosen later
     * by {@link #createContext()} stay above it.
     */
    public synchronized MediaContext restoreContext(int id) throws MediaPlaneException {
        ensureOpen();
        if (id <= 0 || contexts.containsKey(id)) {
            throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT,
                "cannot restore context " + id + ": " + (id <= 0 ? "not a positive id" : "already exists"));
        }
        if (contexts.size() >= config.maxContexts()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXTS_EXHAUSTED,
                "context limit reached: " + contexts.size() + " of " + config.maxContexts()
                    + " contexts in use (media.max-contexts=" + config.maxContexts() + ")");
        }
        MediaContext context = new MediaContext(id, loops[nextLoop++ % loops.length]);
        contexts.put(id, context);
        nextContextId = Math.max(nextContextId, id + 1);
        return context;
    }

    /**
     * Re-creates a termination as it was before a gateway restart: the same id, index (the egress rewriter's source
     * id) and RTP port, bound again; no other port is tried, since the far end keeps sending to that one. The egress
     * state, when given, is applied before the sockets are registered, so the first packet already continues the far
     * end's stream.
     */
    public synchronized Termination restore(MediaContext context, String id, int index, int rtpPort, StreamMode mode,
        RemoteAddress remote, EgressState egress) throws MediaPlaneException {
        ensureOpen();
        requireLive(context);
        if (context.size() >= config.maxTerminationsPerContext()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXT_FULL,
                "context " + context.id() + " is full: " + context.size() + " terminations "
                    + "(media.max-terminations-per-context=" + config.maxTerminationsPerContext() + ")");
        }
        if (terminations.containsKey(id)) {
            throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT,
                "cannot restore termination " + id + ": it already exists");
        }
        if (!ports.acquire(rtpPort)) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "cannot restore termination " + id
                + " on port " + rtpPort + ": not a free even port of the range (" + ports.describe() + ")");
        }
        Termination t = new Termination(id, index, new InetSocketAddress(config.address(), rtpPort));
        t.egress.passthrough(!config.rewriteContinuity());
        if (egress != null && config.rewriteContinuity()) {
            t.egress.resume(egress.sourceIndex(), egress.sourceSsrc(), egress.outputSsrc(), egress.sequenceOffset(),
                egress.timestampOffset(), egress.lastSequence(), egress.lastTimestamp(), System.nanoTime());
        }
        t.rtpHandler = new IngressHandler(t, false, context.loop);
        t.rtcpHandler = new IngressHandler(t, true, context.loop);
        Channel rtp = null;
        try {
            rtp = bind(context.loop, rtpPort, t.rtpHandler);
            t.rtcpChannel = bind(context.loop, rtpPort + 1, t.rtcpHandler);
            t.rtpChannel = rtp;
        } catch (RuntimeException e) {
            if (rtp != null) {
                rtp.close().awaitUninterruptibly(BIND_TIMEOUT.toMillis());
            }
            ports.release(rtpPort);
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "cannot restore termination " + id
                + ": cannot bind " + config.address().getHostAddress() + ":" + rtpPort + "/" + (rtpPort + 1) + ": "
                + e.getMessage(), e);
        }
        nextTerminationIndex = Math.max(nextTerminationIndex, index + 1);
        t.mode(mode);
        if (remote != null) {
            t.remote(remote);
            applyRemoteOnLoop(t);
        }
        t.context(context);
        terminations.put(id, t);
        context.add(t);
        return t;
    }

    /** The termination's egress continuity, read on its I/O thread (which owns it); null before it sent anything. */
    public CompletableFuture<EgressState> egress(Termination termination) {
        CompletableFuture<EgressState> out = new CompletableFuture<>();
        try {
            termination.rtpHandler.loop.eventLoop.execute(() -> {
                EgressRewriter e = termination.egress;
                out.complete(!e.hasSource() || e.passthrough() ? null : new EgressState(e.sourceId(), e.sourceSsrc(),
                    e.outputSsrc(), e.sequenceOffset(), e.timestampOffset(), e.lastSequence(), e.lastTimestamp(),
                    e.sourceChanges()));
            });
        } catch (RuntimeException e) { // the loop is shutting down
            out.completeExceptionally(e);
        }
        return out;
    }

    private void requireLive(MediaContext context) throws MediaPlaneException {
        if (context == null || contexts.get(context.id()) != context) {
            throw new MediaPlaneException(MediaPlaneException.Kind.UNKNOWN_CONTEXT,
                "unknown context " + (context == null ? "null" : context.id()));
        }
    }

    private void requireLive(Termination termination) throws MediaPlaneException {
        if (termination == null || !isLive(termination)) {
            throw new MediaPlaneException(MediaPlaneException.Kind.UNKNOWN_TERMINATION,
                "unknown termination " + (termination == null ? "null" : termination.id()));
        }
    }

    private static void requireMember(MediaContext context, Termination termination) throws MediaPlaneException {
        if (termination == null || !context.contains(termination)) {
            throw new MediaPlaneException(MediaPlaneException.Kind.NOT_IN_CONTEXT,
                "termination " + termination + " is not in context " + context.id());
        }
    }

    private void ensureOpen() throws MediaPlaneException {
        if (closed) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "media plane is closed");
        }
    }

    /** Closes every socket and stops the I/O threads. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Termination t : terminations.values()) {
            closeSockets(t);
        }
        terminations.clear();
        contexts.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("media plane stopped");
    }
}
