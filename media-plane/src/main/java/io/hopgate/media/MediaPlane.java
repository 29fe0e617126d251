package io.hopgate.media;

import io.hopgate.rtp.EgressRewriter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The media plane's command API: contexts, terminations, modes, remotes, topology.
 *
 * <p>Threads (docs/architecture.md section 4): one writer per piece of forwarding state. This class keeps only
 * control-side bookkeeping (ids, the port pool, the context registry, membership and topology) under its lock; every
 * change of forwarding state (mode, remote and the socket's connect, moving and the move buffer, routes, clock rate)
 * becomes a task on the task queue of the I/O loop that owns the termination (Netty's MPSC queue, drained between
 * reads), queued under the lock so a loop applies one termination's changes in the order control made them. The
 * caller then waits for the loop to apply it, outside the lock, so a slow loop delays only the commands for its own
 * contexts. Any thread may call any public method.
 */
public final class MediaPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaPlane.class);
    /** Datagrams larger than this are truncated by the kernel and then fail RTP validation. */
    static final int MAX_DATAGRAM_BYTES = 2048;
    /** Datagrams per recvmmsg call: Netty reads up to this many into one buffer before handing them over. */
    static final int RECV_BATCH = 16;

    private final MediaPlaneConfig config;
    private final EventLoopGroup group;
    private final IoLoop[] loops;
    private final SocketBinder sockets;
    private final PortPool ports;
    private final DescriptorBudget descriptors = new DescriptorBudget();
    private final Map<Integer, MediaContext> contexts = new ConcurrentHashMap<>();
    private final Map<String, Termination> terminations = new ConcurrentHashMap<>();
    private final Transport.Choice transport;
    private final long dualReceiveNanos;
    private int nextContextId = 1;
    private int nextTerminationIndex = 1;
    private int nextLoop;
    private boolean closed;
    /** Counts of subtracted terminations, so totals never go backwards when a call ends. */
    private PacketTotals retired = PacketTotals.ZERO;

    private MediaPlane(MediaPlaneConfig config) {
        this.config = config;
        this.ports = new PortPool(config.portMin(), config.portMax());
        this.dualReceiveNanos = TimeUnit.MILLISECONDS.toNanos(config.dualReceiveMs());
        this.transport = Transport.choose(config.transport());
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("hopgate-io", true),
            transport.transport().ioHandlerFactory());
        List<IoLoop> list = new ArrayList<>();
        for (EventExecutor executor : group) {
            list.add(new IoLoop((EventLoop) executor, config));
        }
        this.loops = list.toArray(new IoLoop[0]);
        this.sockets = new SocketBinder(config, transport.transport());
        if (!transport.transport().isNative()) {
            LOG.warn("native transports unavailable, using NIO (no batching): {}", transport.reason());
        }
    }

    /** Starts the I/O threads. Nothing is bound until terminations are added. */
    public static MediaPlane start(MediaPlaneConfig config) {
        MediaPlane plane = new MediaPlane(config);
        LOG.info("media plane started address={} ports={}-{} io-threads={} transport={} ({}) continuity={}",
            config.address().getHostAddress(), config.portMin(), config.portMax(), config.ioThreads(),
            plane.transport.transport().setting(), plane.transport.reason(),
            config.rewriteContinuity() ? "rewrite" : "passthrough");
        return plane;
    }

    public MediaPlaneConfig config() {
        return config;
    }

    public boolean nativeTransport() {
        return transport.transport().isNative();
    }

    /** The socket layer in use ({@code media.transport}, resolved). */
    public Transport transport() {
        return transport.transport();
    }

    /** Creates an empty context on the next I/O loop (round robin). */
    public synchronized MediaContext createContext() throws MediaPlaneException {
        ensureOpen();
        requireContextRoom();
        int id = nextContextId++;
        MediaContext context = new MediaContext(id, loops[nextLoop++ % loops.length]);
        contexts.put(id, context);
        return context;
    }

    /**
     * Adds a new termination to {@code context}: binds an RTP/RTCP port pair from the pool, sets the mode and, when
     * given, the remote address (from then on the only accepted source). Mode and remote are set before the sockets
     * are registered on the loop (the registration orders them before its first read); the loop then connects the
     * socket and publishes the context's routes, and the termination is handed out once that is done.
     */
    public Termination add(MediaContext context, StreamMode mode, InetSocketAddress remoteRtp)
        throws MediaPlaneException {
        Termination termination;
        Future<?> applied;
        synchronized (this) {
            ensureOpen();
            requireLive(context);
            requireRoom(context);
            int index = nextTerminationIndex++;
            termination = bindPair(context, index, mode, remoteRtp == null ? null : RemoteAddress.of(remoteRtp));
            applied = register(context, termination);
        }
        await(applied, termination, "add");
        return termination;
    }

    private Termination bindPair(MediaContext context, int index, StreamMode mode, RemoteAddress remote)
        throws MediaPlaneException {
        descriptors.reserve(2);
        int attempts = 0;
        while (true) {
            int port = ports.acquire();
            if (port < 0) {
                throw new MediaPlaneException(MediaPlaneException.Kind.PORTS_EXHAUSTED,
                    "port range exhausted: " + ports.inUse() + " of " + ports.capacity() + " port pairs in use ("
                        + ports.describe() + ")");
            }
            Termination t = newTermination(context, "rtp/" + index, index, port, mode, remote);
            try {
                sockets.bindPair(t, port);
                return t;
            } catch (RuntimeException e) {
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

    /** A termination not yet visible to any loop: its first forwarding state may be written here, by control. */
    private Termination newTermination(MediaContext context, String id, int index, int port, StreamMode mode,
                                       RemoteAddress remote) {
        Termination t = new Termination(id, index, new InetSocketAddress(config.address(), port));
        t.egress.passthrough(!config.rewriteContinuity());
        t.mode(mode);
        if (remote != null) {
            t.remote(remote);
        }
        t.rtpHandler = new IngressHandler(t, false, context.loop);
        t.rtcpHandler = new IngressHandler(t, true, context.loop);
        return t;
    }

    /** Makes a bound termination a member of {@code context}; its loop connects the socket and publishes routes. */
    private Future<?> register(MediaContext context, Termination t) throws MediaPlaneException {
        t.context(context);
        terminations.put(t.id(), t);
        Runnable routes = context.add(t);
        IoLoop loop = context.loop;
        return onLoop(loop, () -> {
            loop.applyRemote(t);
            routes.run();
        });
    }

    /** Sets the stream mode; the owning loop applies it at a packet boundary. */
    public void mode(Termination termination, StreamMode mode) throws MediaPlaneException {
        Future<?> applied;
        synchronized (this) {
            requireLive(termination);
            applied = onLoop(loopOf(termination), () -> termination.mode(mode));
        }
        await(applied, termination, "mode " + mode);
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
     * for {@code media.dual-receive-ms}; the two are never interleaved. Without it the switch is hard. The owning
     * loop publishes the remote, (dis)connects the socket and ends a move in one task (IoLoop.repoint).
     */
    public void remote(Termination termination, InetSocketAddress remoteRtp, boolean dualReceive)
        throws MediaPlaneException {
        if (remoteRtp == null) {
            throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT, "remote address is missing");
        }
        long window = dualReceive ? dualReceiveNanos : 0;
        Future<?> applied;
        synchronized (this) {
            requireLive(termination);
            IoLoop loop = loopOf(termination);
            applied = onLoop(loop, () -> loop.repoint(termination, remoteRtp, window));
        }
        await(applied, termination, "remote " + remoteRtp);
    }

    /**
     * Marks a termination as moving (docs/architecture.md section 2.7): from the next packet on, RTP for it is held
     * in order in a bounded buffer ({@code media.move-buffer-ms}, {@code media.move-buffer-packets}) instead of
     * being sent to the old address. A new remote address (or {@code moving(t, false)}) ends the move: what was held
     * is sent first, in order, then live traffic.
     */
    public void moving(Termination termination, boolean on) throws MediaPlaneException {
        Future<?> applied;
        synchronized (this) {
            requireLive(termination);
            IoLoop loop = loopOf(termination);
            applied = onLoop(loop, () -> loop.moving(termination, on));
        }
        await(applied, termination, "moving " + (on ? "on" : "off"));
    }

    /** Sets the payload clock rate (Hz, from SDP rtpmap) used by egress continuity. */
    public void clockRate(Termination termination, int hz) throws MediaPlaneException {
        Future<?> applied;
        synchronized (this) {
            requireLive(termination);
            applied = onLoop(loopOf(termination), () -> termination.clockRate(hz));
        }
        await(applied, termination, "clock rate " + hz);
    }

    /** Sets the topology of an ordered pair; the context's route tables are rebuilt and published whole. */
    public void topology(MediaContext context, Termination from, Termination to, Topology topology)
        throws MediaPlaneException {
        Future<?> applied;
        synchronized (this) {
            requireLive(context);
            requireMember(context, from);
            requireMember(context, to);
            if (from == to) {
                throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT,
                    "topology names " + from.id() + " twice");
            }
            applied = onLoop(context.loop, context.topology(from, to, topology));
        }
        await(applied, context, "topology");
    }

    /**
     * Moves a termination to another context. Its topology in the old context is forgotten (bothway in the new one);
     * when the contexts live on different I/O loops the sockets are re-registered on the new loop, which keeps the
     * rule that one loop owns all egress state of a context. The old context is deleted when it becomes empty.
     * Rare (an H.248 Move), so it waits for both loops under the lock.
     */
    public synchronized void move(Termination termination, MediaContext to) throws MediaPlaneException {
        requireLive(termination);
        requireLive(to);
        MediaContext from = termination.context();
        if (from == to) {
            return;
        }
        requireRoom(to);
        await(onLoop(from.loop, from.remove(termination)), from, "move out");
        boolean rebound = false;
        if (from.loop != to.loop) {
            if (transport.transport() == Transport.IO_URING) {
                sockets.rebind(termination, to.loop);
                rebound = true;
            } else {
                SocketBinder.reRegister(termination.rtpChannel, termination.rtpHandler, to.loop);
                SocketBinder.reRegister(termination.rtcpChannel, termination.rtcpHandler, to.loop);
            }
        }
        termination.context(to);
        Runnable routes = to.add(termination);
        IoLoop target = to.loop;
        await(onLoop(target, rebound ? () -> {
            routes.run();
            target.applyRemote(termination); // the new socket connects to the remote as the old one was
        } : routes), to, "move in");
        if (from.size() == 0) {
            contexts.remove(from.id());
        }
    }

    /**
     * Removes a termination, closes its sockets and returns what it carried. The context is deleted when it becomes
     * empty. Statistics are read after the sockets' close completed on the I/O loop, so they are final.
     */
    public synchronized TerminationStatistics subtract(Termination termination) throws MediaPlaneException {
        requireLive(termination);
        MediaContext context = termination.context();
        Runnable routes = context.remove(termination);
        terminations.remove(termination.id());
        try {
            await(onLoop(context.loop, () -> {
                routes.run();
                termination.mode(StreamMode.INACTIVE);
            }), termination, "subtract");
        } catch (MediaPlaneException e) {
            // The loop is gone or stuck: the sockets are closed below all the same, so nothing is left half removed.
            LOG.warn("subtract term={} cause={}", termination.id(), e.getMessage());
        }
        SocketBinder.close(termination);
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
        requireContextRoom();
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
    public Termination restore(MediaContext context, String id, int index, int rtpPort, StreamMode mode,
        RemoteAddress remote, EgressState egress) throws MediaPlaneException {
        Termination t;
        Future<?> applied;
        synchronized (this) {
            ensureOpen();
            requireLive(context);
            requireRoom(context);
            if (terminations.containsKey(id)) {
                throw new MediaPlaneException(MediaPlaneException.Kind.INVALID_ARGUMENT,
                    "cannot restore termination " + id + ": it already exists");
            }
            if (!ports.acquire(rtpPort)) {
                throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "cannot restore termination " + id
                    + " on port " + rtpPort + ": not a free even port of the range (" + ports.describe() + ")");
            }
            t = newTermination(context, id, index, rtpPort, mode, remote);
            if (egress != null && config.rewriteContinuity()) {
                t.egress.resume(egress.sourceIndex(), egress.sourceSsrc(), egress.outputSsrc(),
                    egress.sequenceOffset(), egress.timestampOffset(), egress.lastSequence(), egress.lastTimestamp(),
                    System.nanoTime());
                if (egress.sent() != null) { // before the sockets exist, so no sender report goes out without them
                    t.egress.resumeSenderCounts(egress.sent().packets(), egress.sent().octets());
                }
            }
            try {
                sockets.bindPair(t, rtpPort);
            } catch (RuntimeException e) {
                ports.release(rtpPort);
                throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "cannot restore termination " + id
                    + ": cannot bind " + config.address().getHostAddress() + ":" + rtpPort + "/" + (rtpPort + 1)
                    + ": " + e.getMessage(), e);
            }
            nextTerminationIndex = Math.max(nextTerminationIndex, index + 1);
            applied = register(context, t);
        }
        await(applied, t, "restore");
        return t;
    }

    /** The termination's egress continuity, read on its I/O thread (which owns it); null before it sent anything. */
    public CompletableFuture<EgressState> egress(Termination termination) {
        return termination.onOwnLoop(() -> {
            EgressRewriter e = termination.egress;
            return !e.hasSource() || e.passthrough() ? null : new EgressState(e.sourceId(), e.sourceSsrc(),
                e.outputSsrc(), e.sequenceOffset(), e.timestampOffset(), e.lastSequence(), e.lastTimestamp(),
                e.sourceChanges(), new SenderCounts(e.senderPackets(), e.senderOctets()));
        });
    }

    /**
     * Queues a change of forwarding state on the loop that owns it. Called under the lock, so one termination's
     * changes reach its loop in the order control made them; run in place when already on that loop.
     */
    private static Future<?> onLoop(IoLoop loop, Runnable change) throws MediaPlaneException {
        if (loop.eventLoop.inEventLoop()) {
            change.run();
            return loop.eventLoop.newSucceededFuture(null);
        }
        try {
            return loop.eventLoop.submit(change);
        } catch (RejectedExecutionException e) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "media plane is closing", e);
        }
    }

    /** Waits (bounded, never under the lock for the frequent commands) until the loop has applied a change. */
    private static void await(Future<?> applied, Object on, String what) throws MediaPlaneException {
        if (!applied.awaitUninterruptibly(SocketBinder.TIMEOUT.toMillis())) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE, "I/O loop did not apply " + what
                + " of " + on + " within " + SocketBinder.TIMEOUT.toMillis() + " ms (overloaded); it applies later");
        }
        if (!applied.isSuccess()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.IO_FAILURE,
                what + " of " + on + " failed on its I/O loop: " + applied.cause(), applied.cause());
        }
    }

    /** The loop that owns the termination's forwarding state (changes only by {@link #move}, under the lock). */
    private static IoLoop loopOf(Termination termination) {
        return termination.rtpHandler.loop;
    }

    private void requireContextRoom() throws MediaPlaneException {
        if (contexts.size() >= config.maxContexts()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXTS_EXHAUSTED,
                "context limit reached: " + contexts.size() + " of " + config.maxContexts()
                    + " contexts in use (media.max-contexts=" + config.maxContexts() + ")");
        }
    }

    private void requireRoom(MediaContext context) throws MediaPlaneException {
        if (context.size() >= config.maxTerminationsPerContext()) {
            throw new MediaPlaneException(MediaPlaneException.Kind.CONTEXT_FULL,
                "context " + context.id() + " is full: " + context.size() + " terminations "
                    + "(media.max-terminations-per-context=" + config.maxTerminationsPerContext() + ")");
        }
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
            SocketBinder.close(t);
        }
        terminations.clear();
        contexts.clear();
        for (IoLoop loop : loops) {
            loop.eventLoop.submit(loop::releaseBuffers).awaitUninterruptibly(SocketBinder.TIMEOUT.toMillis());
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        LOG.info("media plane stopped");
    }
}
