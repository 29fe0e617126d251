package io.hopgate.media;

import io.hopgate.rtp.EgressRewriter;
import io.hopgate.rtp.ReceptionStatistics;
import io.netty.channel.Channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A port of the gateway: an RTP socket on an even port and an RTCP socket on the next odd one, the peer's address,
 * and a stream mode.
 *
 * <p>Threads (docs/architecture.md section 4): the forwarding state (mode, remote, routes, moving and the move
 * buffer, clock rate, latch and connect state, the egress rewriter, the reception statistics) has one writer, the I/O
 * thread of the loop the termination is registered on; control queues its changes there ({@link MediaPlane}) and
 * writes it directly only before the sockets are registered. Mode, remote, routes and moving are published with
 * release stores so control threads (audit, {@code /contexts}) read them with acquire loads; counters are readable
 * from any thread.
 */
public final class Termination {
    private static final VarHandle MODE;
    private static final VarHandle REMOTE;
    private static final VarHandle ROUTES;
    private static final VarHandle CONTEXT;
    private static final VarHandle MOVING;
    static final Termination[] NO_ROUTES = new Termination[0];

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MODE = lookup.findVarHandle(Termination.class, "mode", int.class);
            REMOTE = lookup.findVarHandle(Termination.class, "remote", RemoteAddress.class);
            ROUTES = lookup.findVarHandle(Termination.class, "routes", Termination[].class);
            CONTEXT = lookup.findVarHandle(Termination.class, "context", MediaContext.class);
            MOVING = lookup.findVarHandle(Termination.class, "moving", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String id;
    private final int index;
    private final InetSocketAddress localRtp;
    final TerminationCounters counters = new TerminationCounters();
    final EgressRewriter egress = new EgressRewriter();
    final ReceptionStatistics reception = new ReceptionStatistics();

    @SuppressWarnings("unused") // through MODE
    private int mode = StreamMode.SEND_RECV.ordinal();
    @SuppressWarnings("unused") // through REMOTE
    private RemoteAddress remote;
    @SuppressWarnings("unused") // through ROUTES
    private Termination[] routes = NO_ROUTES;
    @SuppressWarnings("unused") // through CONTEXT
    private MediaContext context;
    private volatile int clockRate = 8000;
    @SuppressWarnings("unused") // through MOVING
    private boolean moving;
    /** Created (once, by the owning I/O thread) before the first {@link #moving(boolean)} store; else null. */
    volatile MoveBuffer moveBuffer;
    /** True while the move was started by the I/O thread (peer unreachable) rather than by control. */
    volatile boolean movingOnUnreachable;
    /** The address the RTP socket is connected to, or null when it is not connected. Owned by the I/O thread. */
    volatile InetSocketAddress rtpConnectedTo;
    /** A connect of the RTP socket is in flight (io_uring completes it on a later loop turn); loop-owned. */
    boolean rtpConnecting;
    /** SSRC and sequence number of the last accepted RTP packet, for latching. Owned by the I/O thread. */
    int lastSsrc;
    int lastSequence = -1;
    /**
     * The remote whose dual-receive window is closed because its new address was heard (RFC 3264 section 8.3.1:
     * the old source is taken only until then). Each Remote change publishes a new {@link RemoteAddress}, so the
     * identity check reopens nothing and needs no reset. Owned by the I/O thread.
     */
    RemoteAddress previousClosedFor;
    /** Forward-once state of what leaves here; owned by the I/O thread. */
    final EgressDedupe dedupe = new EgressDedupe();
    /** Length of the last datagram queued on this termination's sockets, to uncount it when the send fails. */
    int lastQueuedLength;

    // Volatile: a Move to another loop on io_uring replaces them (SocketBinder.rebind) while the old loop may still
    // run a task that looks at them (a scheduled reconnect finds the new owner through rtpHandler.loop).
    volatile Channel rtpChannel;
    volatile Channel rtcpChannel;
    volatile IngressHandler rtpHandler;
    volatile IngressHandler rtcpHandler;

    /**
     * Runs {@code task} on the I/O thread that owns this termination's forwarding state and completes with what it
     * returns; completes exceptionally when the loop is shutting down. For reads and changes of loop-owned state
     * from control (egress continuity, sender counts).
     */
    <T> CompletableFuture<T> onOwnLoop(Supplier<T> task) {
        CompletableFuture<T> out = new CompletableFuture<>();
        try {
            rtpHandler.loop.eventLoop.execute(() -> out.complete(task.get()));
        } catch (RuntimeException e) { // the loop is shutting down
            out.completeExceptionally(e);
        }
        return out;
    }

    Termination(String id, int index, InetSocketAddress localRtp) {
        this.id = id;
        this.index = index;
        this.localRtp = localRtp;
    }

    /** The gateway-chosen name, e.g. {@code rtp/17}. */
    public String id() {
        return id;
    }

    /** A number unique among live and past terminations of this media plane; the egress rewriter's source id. */
    public int index() {
        return index;
    }

    public InetSocketAddress localRtp() {
        return localRtp;
    }

    public int rtpPort() {
        return localRtp.getPort();
    }

    public int rtcpPort() {
        return localRtp.getPort() + 1;
    }

    public StreamMode mode() {
        return StreamMode.ofOrdinal((int) MODE.getAcquire(this));
    }

    /** Release store: the I/O thread's next acquire load sees the new mode. */
    void mode(StreamMode newMode) {
        MODE.setRelease(this, newMode.ordinal());
    }

    int modeOrdinal() {
        return (int) MODE.getAcquire(this);
    }

    /** The peer's address, or null while it is unknown (then any source is accepted and nothing is sent out). */
    public RemoteAddress remote() {
        return (RemoteAddress) REMOTE.getAcquire(this);
    }

    void remote(RemoteAddress newRemote) {
        REMOTE.setRelease(this, newRemote);
    }

    /** Terminations a packet arriving here may go to, by topology; modes and remotes are checked per packet. */
    Termination[] routes() {
        return (Termination[]) ROUTES.getAcquire(this);
    }

    void routes(Termination[] newRoutes) {
        ROUTES.setRelease(this, newRoutes);
    }

    public MediaContext context() {
        return (MediaContext) CONTEXT.getAcquire(this);
    }

    void context(MediaContext newContext) {
        CONTEXT.setRelease(this, newContext);
    }

    /** True while the peer is moving: RTP for this termination is held, not sent (docs/architecture.md section 2.7). */
    public boolean isMoving() {
        return (boolean) MOVING.getAcquire(this);
    }

    void moving(boolean on) {
        MOVING.setRelease(this, on);
    }

    /** The move buffer, created on first use by the owning I/O thread. */
    MoveBuffer moveBuffer(MediaPlaneConfig config) {
        MoveBuffer b = moveBuffer;
        if (b == null) {
            b = new MoveBuffer(config.moveBufferPackets(), TimeUnit.MILLISECONDS.toNanos(config.moveBufferMs()),
                counters);
            moveBuffer = b;
        }
        return b;
    }

    /** Packets held right now for the end of a move. */
    public int moveHeld() {
        MoveBuffer b = moveBuffer;
        return b == null ? 0 : b.size();
    }

    /** Held packets dropped because the move buffer was full (oldest first). */
    public long moveOverflow() {
        return counters.get(Counter.MOVE_OVERFLOW);
    }

    /** Held packets dropped because they were older than the move buffer's age bound when the move ended. */
    public long moveStale() {
        return counters.get(Counter.MOVE_STALE);
    }

    /** Held packets sent to the new address when the move ended. */
    public long moveFlushed() {
        return counters.get(Counter.MOVE_FLUSHED);
    }

    /** Payload clock rate (Hz) from SDP, used to advance timestamps across a source switch. */
    public int clockRate() {
        return clockRate;
    }

    void clockRate(int hz) {
        clockRate = hz > 0 ? hz : 8000;
    }

    public TerminationCounters counters() {
        return counters;
    }

    /**
     * A snapshot of what this termination carried. Exact once the termination is closed (Subtract reads it after the
     * sockets' close completed); a few packets old while traffic flows.
     */
    public TerminationStatistics statistics() {
        return new TerminationStatistics(counters.snapshot(), reception.lost(), reception.jitter());
    }

    @Override
    public String toString() {
        return id;
    }
}
