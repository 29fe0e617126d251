package io.hopgate.control.gateway;

import io.hopgate.control.h248.LocalControlMode;
import io.hopgate.control.h248.ActionReply;
import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.CommandReply;
import io.hopgate.control.h248.CommandRequest;
import io.hopgate.control.h248.CommandType;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.ContextProperties;
import io.hopgate.control.h248.Descriptor;
import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.LocalControlDescriptor;
import io.hopgate.control.h248.MediaDescriptor;
import io.hopgate.control.h248.MegacoException;
import io.hopgate.control.h248.PackagesDescriptor;
import io.hopgate.control.h248.ServiceChangeDescriptor;
import io.hopgate.control.h248.StatisticsDescriptor;
import io.hopgate.control.h248.StreamDescriptor;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.h248.TopologyTriple;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.h248.TransactionRequest;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.control.megaco.WarnLimiter;
import io.hopgate.control.megaco.WireText;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneException;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;
import io.hopgate.media.TerminationStatistics;
import io.hopgate.media.Topology;
import io.hopgate.rtp.sdp.Connection;
import io.hopgate.rtp.sdp.MediaDescription;
import io.hopgate.rtp.sdp.SessionDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Executes H.248 transactions on the media plane (the MG side). Actions and commands run in order; the first
 * command that fails ends its transaction with an Error descriptor in its action's reply, and the commands before it
 * stay done (RFC 3525 / H.248.1 section 8.2.2). An optional command ({@code O-}) that fails does not end it.
 *
 * <p>Threads: called only on the H.248 endpoint's control thread.
 */
public final class GatewayCommands implements MegacoEndpoint.RequestHandler {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayCommands.class);
    private final WarnLimiter failureLog = new WarnLimiter(10_000);
    private static final Map<String, Integer> PACKAGES = Map.of("nt", 1, "rtp", 1);

    /** What the gateway remembers of a termination beyond the media plane: the SDP it answered and was given. */
    private record Sdp(SessionDescription local, SessionDescription remote, long addedAtNanos) {
    }

    private final MediaPlane plane;
    private final GatewayMetrics metrics;
    private final Map<Termination, Sdp> sdp = new HashMap<>();
    private final RemotePolicy remotes;
    /** Call state in state.redis (docs/ha.md), or null when it is off. */
    private GatewayCallState callState;

    public GatewayCommands(MediaPlane plane, GatewayMetrics metrics) {
        this.plane = plane;
        this.metrics = metrics;
        this.remotes = new RemotePolicy(plane.config());
    }

    /** The gateway's own control sockets, which no Remote may point at (see {@link RemotePolicy}). */
    public void controlAddresses(List<InetSocketAddress> addresses) {
        remotes.controlAddresses(addresses);
    }

    @Override
    public TransactionReply onRequest(InetSocketAddress peer, int version, TransactionRequest request) {
        List<ActionReply> replies = new ArrayList<>();
        for (ActionRequest action : request.actions()) {
            boolean failed = execute(request.id(), action, replies);
            if (failed) {
                break;
            }
        }
        return new TransactionReply(request.id(), replies);
    }

    /** Appends the action's reply (or replies, for a wildcard context); returns true when the transaction ends. */
    private boolean execute(long txn, ActionRequest action, List<ActionReply> out) {
        ContextId id = action.contextId();
        if (id.isAll()) {
            return executeOnAllContexts(txn, action, out);
        }
        ActionState state = new ActionState(id);
        if (id.isConcrete()) {
            state.context = plane.context((int) id.value());
            if (state.context == null) {
                ErrorDescriptor e = ErrorDescriptor.of(ErrorCode.UNKNOWN_CONTEXT_ID, "unknown context " + id.text());
                metrics.onCommand(action.commands().isEmpty() ? "Context" : action.commands().get(0).type().token(),
                    e.code());
                out.add(new ActionReply(id, ContextProperties.NONE, List.of(), e));
                return true;
            }
        }
        List<CommandReply> replies = new ArrayList<>();
        ErrorDescriptor error = null;
        try {
            if (action.commands().isEmpty() && action.properties().isEmpty()) {
                throw MediaRequest.error(ErrorCode.SYNTAX_ERROR_IN_ACTION,
                    "Context = " + id.text() + " has neither a command nor a context property");
            }
            if (state.context != null) {
                applyTopology(state.context, action.properties());
            }
            for (CommandRequest command : action.commands()) {
                try {
                    replies.addAll(execute(state, command));
                    metrics.onCommand(command.type().token(), 0);
                } catch (MegacoException e) {
                    metrics.onCommand(command.type().token(), e.code());
                    // One line per (command, code) per 10 s: a peer or an exhausted resource can fail every command.
                    long suppressed = failureLog.admit(command.type().token() + '/' + e.code(), System.nanoTime());
                    if (suppressed >= 0) {
                        LOG.warn("command failed txn={} ctx={} cmd={} term={} code={} cause={}"
                                + " suppressed-since-last={}",
                            txn, WireText.escape(id.text()), command.type().token(),
                            WireText.escape(command.terminationId().text()), e.code(), WireText.escape(e.text()),
                            suppressed);
                    }
                    if (!command.optional()) {
                        throw e;
                    }
                    replies.add(new CommandReply(command.type(), command.terminationId(), List.of(e.toDescriptor())));
                }
            }
            if (id.isChoose() && state.context != null) {
                applyTopology(state.context, action.properties());
            }
        } catch (MegacoException e) {
            error = e.toDescriptor();
        }
        if (state.context != null) {
            plane.deleteIfEmpty(state.context);
        }
        ErrorDescriptor notRecorded = callState == null ? null : callState.afterAction(state.context);
        error = error != null ? error : notRecorded;
        ContextId replyId = state.context != null ? ContextId.of(state.context.id()) : id;
        out.add(new ActionReply(replyId, echoedProperties(action.properties(), replies, error), replies, error));
        return error != null;
    }

    /**
     * RFC 3525's actionReply needs a command reply, context properties or an Error inside its braces: an action of
     * context properties only (e.g. a Topology) is answered with those properties as applied, never with
     * {@code Context = 1 { }}, which standard stacks refuse.
     */
    private static ContextProperties echoedProperties(ContextProperties requested, List<CommandReply> replies,
                                                      ErrorDescriptor error) {
        if (!replies.isEmpty() || error != null) {
            return ContextProperties.NONE;
        }
        return new ContextProperties(requested.topology(), requested.priority(), requested.emergency(), List.of());
    }

    void callState(GatewayCallState recorder) {
        this.callState = recorder;
    }

    /** The H.248 side data the call state keeps for a termination: its Local and Remote SDP. */
    Map<String, String> stateAttributes(Termination t) {
        Sdp s = sdp.get(t);
        Map<String, String> out = new HashMap<>();
        if (s != null) {
            out.put("h248.local", s.local().format("\n"));
            if (s.remote() != null) {
                out.put("h248.remote", s.remote().format("\n"));
            }
        }
        return out;
    }

    /** A termination restored from the call state gets its SDP back (the Local SDP is rebuilt when unreadable). */
    void restored(Termination t, Map<String, String> attributes) {
        SessionDescription local = null;
        SessionDescription remote = null;
        try {
            String l = attributes.get("h248.local");
            String r = attributes.get("h248.remote");
            local = l == null ? null : SessionDescription.parse(l);
            remote = r == null ? null : SessionDescription.parse(r);
        } catch (RuntimeException | io.hopgate.rtp.sdp.SdpException e) {
            LOG.warn("restored SDP unreadable term={} cause={}", t.id(), e.getMessage());
        }
        sdp.put(t, new Sdp(local != null ? local : localSdp(t, null, remote), remote, System.nanoTime()));
    }

    /** Context {@code *}: AuditValue or Subtract applied to every context, one action reply per context. */
    private boolean executeOnAllContexts(long txn, ActionRequest action, List<ActionReply> out) {
        for (CommandRequest c : action.commands()) {
            if (c.type() != CommandType.AUDIT_VALUE && c.type() != CommandType.SUBTRACT) {
                out.add(new ActionReply(action.contextId(), ContextProperties.NONE, List.of(),
                    ErrorDescriptor.of(ErrorCode.UNKNOWN_ACTION, c.type().token()
                        + " is not allowed with Context = *")));
                return true;
            }
        }
        List<MediaContext> all = new ArrayList<>(plane.contexts());
        all.sort(Comparator.comparingInt(MediaContext::id));
        if (all.isEmpty()) {
            // Zero action replies would make the reply "Reply = N { }", which the ABNF and standard stacks refuse.
            out.add(new ActionReply(action.contextId(), ContextProperties.NONE, List.of(),
                ErrorDescriptor.of(ErrorCode.NO_TERMINATION_ID_MATCHED_WILDCARD, "Context = * matched no context")));
            return true;
        }
        for (MediaContext context : all) {
            ActionRequest one = new ActionRequest(ContextId.of(context.id()), action.properties(), action.commands());
            if (execute(txn, one, out)) {
                return true;
            }
        }
        return false;
    }

    private static final class ActionState {
        final ContextId requested;
        MediaContext context;

        ActionState(ContextId requested) {
            this.requested = requested;
        }
    }

    private List<CommandReply> execute(ActionState state, CommandRequest command) {
        return switch (command.type()) {
            case ADD -> List.of(add(state, command));
            case MODIFY -> modify(state, command);
            case SUBTRACT -> subtract(state, command);
            case MOVE -> List.of(move(state, command));
            case AUDIT_VALUE -> audit(state, command, false);
            case AUDIT_CAPABILITY -> audit(state, command, true);
            case SERVICE_CHANGE -> List.of(serviceChange(command));
            case NOTIFY -> throw MediaRequest.error(ErrorCode.NOT_IMPLEMENTED,
                "Notify is sent by the MG; this gateway does not accept it from a controller");
        };
    }

    private CommandReply add(ActionState state, CommandRequest command) {
        if (state.requested.isNull()) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_ACTION, "Add needs a context: $ or an existing context id");
        }
        TerminationId tid = command.terminationId();
        if (!tid.isChoose()) {
            Termination existing = plane.termination(tid.text());
            if (existing != null) {
                throw MediaRequest.error(ErrorCode.TERMINATION_ID_ALREADY_IN_CONTEXT,
                    "termination " + tid.text() + " is already in context " + existing.context().id());
            }
            throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, "unknown termination " + tid.text()
                + ": this gateway has only ephemeral RTP terminations; Add $ to create one");
        }
        MediaRequest media = MediaRequest.of(command);
        remotes.check(media.remoteRtp());
        if (state.context == null) {
            state.context = call(() -> plane.createContext());
        }
        MediaContext context = state.context;
        StreamMode mode = media.mode() != null ? media.mode() : StreamMode.SEND_RECV;
        Termination t = call(() -> plane.add(context, mode, media.remoteRtp()));
        if (media.clockRate() > 0) {
            run(() -> plane.clockRate(t, media.clockRate()));
        }
        SessionDescription local = localSdp(t, media.local(), media.remote());
        sdp.put(t, new Sdp(local, media.remote(), System.nanoTime()));
        LOG.debug("added ctx={} term={} port={} remote={} mode={}", context.id(), t.id(), t.rtpPort(),
            media.remoteRtp(), mode);
        List<Descriptor> reply = new ArrayList<>();
        reply.add(mediaReply(t, media, true));
        if (media.audits("Statistics", false)) {
            reply.add(statistics(t, t.statistics()));
        }
        return new CommandReply(CommandType.ADD, TerminationId.of(t.id()), reply);
    }

    private List<CommandReply> modify(ActionState state, CommandRequest command) {
        List<Termination> targets = resolve(state, command.terminationId(), command.type());
        MediaRequest media = MediaRequest.of(command);
        remotes.check(media.remoteRtp());
        List<CommandReply> replies = new ArrayList<>();
        for (Termination t : targets) {
            apply(t, media);
            List<Descriptor> reply = new ArrayList<>();
            if (media.local() != null || media.audits("Media", false)) {
                reply.add(mediaReply(t, media, media.local() != null));
            }
            if (media.audits("Statistics", false)) {
                reply.add(statistics(t, t.statistics()));
            }
            replies.add(new CommandReply(CommandType.MODIFY, TerminationId.of(t.id()), reply));
        }
        return replies;
    }

    private void apply(Termination t, MediaRequest media) {
        Sdp before = sdp.get(t);
        if (Boolean.TRUE.equals(media.moving())) {
            // Before a Remote in the same command, so that Remote ends the move and flushes what was held.
            run(() -> plane.moving(t, true));
        }
        if (media.remoteRtp() != null) {
            call(() -> {
                plane.remote(t, media.remoteRtp(), media.dualReceive());
                if (media.clockRate() > 0) {
                    plane.clockRate(t, media.clockRate());
                }
                return null;
            });
        }
        if (media.mode() != null) {
            run(() -> plane.mode(t, media.mode()));
        }
        if (Boolean.FALSE.equals(media.moving())) {
            run(() -> plane.moving(t, false));
        }
        SessionDescription local = media.local() != null ? localSdp(t, media.local(), media.remote())
            : before == null ? localSdp(t, null, media.remote()) : before.local();
        SessionDescription remote = media.remote() != null ? media.remote() : before == null ? null : before.remote();
        sdp.put(t, new Sdp(local, remote, before == null ? System.nanoTime() : before.addedAtNanos()));
    }

    private List<CommandReply> subtract(ActionState state, CommandRequest command) {
        List<Termination> targets = resolve(state, command.terminationId(), command.type());
        MediaRequest media = MediaRequest.of(command);
        List<CommandReply> replies = new ArrayList<>();
        for (Termination t : targets) {
            Sdp remembered = sdp.remove(t);
            TerminationStatistics stats = call(() -> plane.subtract(t));
            List<Descriptor> reply = new ArrayList<>();
            // Statistics come back by default; an empty Audit descriptor asks for nothing (H.248.1 7.2.3).
            if (media.audits("Statistics", true)) {
                reply.add(statistics(stats, remembered == null ? System.nanoTime() : remembered.addedAtNanos(),
                    t.clockRate()));
            }
            LOG.debug("subtracted ctx={} term={} rx={} tx={}", state.context == null ? "-" : state.context.id(),
                t.id(), stats.packetsReceived(), stats.packetsSent());
            replies.add(new CommandReply(CommandType.SUBTRACT, TerminationId.of(t.id()), reply));
        }
        return replies;
    }

    private CommandReply move(ActionState state, CommandRequest command) {
        TerminationId tid = command.terminationId();
        if (tid.isChoose() || tid.isWildcard() || tid.isRoot()) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, "Move needs one existing termination, not "
                + tid.text());
        }
        if (state.requested.isNull()) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_ACTION, "Move needs a target context: $ or an existing id");
        }
        Termination t = plane.termination(tid.text());
        if (t == null) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, "unknown termination " + tid.text());
        }
        MediaRequest media = MediaRequest.of(command);
        remotes.check(media.remoteRtp());
        if (state.context == null) {
            state.context = call(() -> plane.createContext());
        }
        MediaContext target = state.context;
        run(() -> plane.move(t, target));
        apply(t, media);
        List<Descriptor> reply = new ArrayList<>();
        if (media.local() != null) {
            reply.add(mediaReply(t, media, true));
        }
        return new CommandReply(CommandType.MOVE, TerminationId.of(t.id()), reply);
    }

    private List<CommandReply> audit(ActionState state, CommandRequest command, boolean capabilities) {
        MediaRequest media = MediaRequest.of(command);
        TerminationId tid = command.terminationId();
        CommandType type = command.type();
        if (tid.isRoot()) {
            List<Descriptor> reply = new ArrayList<>();
            if (capabilities || media.audits("Packages", false)) {
                reply.add(new PackagesDescriptor(PACKAGES));
            }
            return List.of(new CommandReply(type, TerminationId.ROOT, reply));
        }
        List<Termination> targets;
        if (state.requested.isNull() && !tid.isWildcard()) {
            Termination t = plane.termination(tid.text());
            if (t == null) {
                throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, "unknown termination " + tid.text());
            }
            targets = List.of(t);
        } else if (state.requested.isNull()) {
            targets = new ArrayList<>(plane.terminations());
            targets.sort(Comparator.comparingInt(Termination::index));
        } else {
            targets = resolve(state, tid, type);
        }
        List<CommandReply> replies = new ArrayList<>();
        for (Termination t : targets) {
            List<Descriptor> reply = new ArrayList<>();
            if (capabilities || media.audits("Media", true)) {
                reply.add(auditMedia(t));
            }
            if (media.audits("Statistics", false)) {
                reply.add(statistics(t, t.statistics()));
            }
            if (media.audits("Packages", false)) {
                reply.add(new PackagesDescriptor(PACKAGES));
            }
            replies.add(new CommandReply(type, TerminationId.of(t.id()), reply));
        }
        return replies;
    }

    private CommandReply serviceChange(CommandRequest command) {
        ServiceChangeDescriptor requested = command.descriptor(ServiceChangeDescriptor.class);
        if (requested == null) {
            throw MediaRequest.error(ErrorCode.SYNTAX_ERROR_IN_COMMAND, "ServiceChange needs a Services descriptor");
        }
        LOG.info("service change from controller term={} method={} reason={}", command.terminationId().text(),
            requested.method() == null ? "-" : requested.method().token(), WireText.escape(requested.reason()));
        return new CommandReply(CommandType.SERVICE_CHANGE, command.terminationId(), List.of());
    }

    /** Terminations named by {@code tid} in the action's context: one concrete id, or {@code *} for all. */
    private List<Termination> resolve(ActionState state, TerminationId tid, CommandType type) {
        if (state.context == null) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_CONTEXT_ID, type.token() + " " + tid.text()
                + " needs an existing context (got " + state.requested.text() + ")");
        }
        if (tid.isWildcard()) {
            List<Termination> all = state.context.terminations();
            if (all.isEmpty()) {
                throw MediaRequest.error(ErrorCode.NO_TERMINATION_ID_MATCHED_WILDCARD,
                    "no termination in context " + state.context.id() + " matched " + tid.text());
            }
            return all;
        }
        if (tid.isChoose() || tid.isRoot()) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, type.token() + " cannot name " + tid.text());
        }
        Termination t = plane.termination(tid.text());
        if (t == null) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, "unknown termination " + tid.text());
        }
        if (t.context() != state.context) {
            throw MediaRequest.error(ErrorCode.TERMINATION_ID_NOT_IN_CONTEXT,
                "termination " + tid.text() + " is not in context " + state.context.id());
        }
        return List.of(t);
    }

    private void applyTopology(MediaContext context, ContextProperties properties) {
        if (properties == null) {
            return;
        }
        if (!properties.other().isEmpty()) {
            throw MediaRequest.error(ErrorCode.UNSUPPORTED_PROPERTY,
                "unsupported context property " + properties.other().get(0).name());
        }
        for (TopologyTriple triple : properties.topology()) {
            Termination from = member(context, triple.from());
            Termination to = member(context, triple.to());
            Topology topology = switch (triple.direction()) {
                case ISOLATE -> Topology.ISOLATE;
                case BOTHWAY -> Topology.BOTHWAY;
                // v3 onewayexternal/onewayboth differ only in what happens to signals, not to media.
                case ONEWAY, ONEWAY_EXTERNAL, ONEWAY_BOTH -> Topology.ONEWAY;
            };
            run(() -> plane.topology(context, from, to, topology));
            metrics.onCommand("Topology", 0);
        }
    }

    private Termination member(MediaContext context, TerminationId id) {
        Termination t = plane.termination(id.text());
        if (t == null) {
            throw MediaRequest.error(ErrorCode.UNKNOWN_TERMINATION_ID, "topology names unknown termination "
                + id.text());
        }
        if (t.context() != context) {
            throw MediaRequest.error(ErrorCode.TERMINATION_ID_NOT_IN_CONTEXT,
                "topology names " + id.text() + " which is not in context " + context.id());
        }
        return t;
    }

    /** The Local SDP the gateway answers: the request's Local (or Remote's formats) with its own address and port. */
    private SessionDescription localSdp(Termination t, SessionDescription requested, SessionDescription remote) {
        InetSocketAddress local = t.localRtp();
        String addressType = local.getAddress() instanceof Inet6Address ? Connection.IP6 : Connection.IP4;
        String address = local.getAddress().getHostAddress();
        if (requested != null && !requested.media().isEmpty()) {
            SessionDescription filled = requested.withConnection(addressType, address).withMediaPort(0, t.rtpPort());
            for (int i = 0; i < filled.media().size(); i++) {
                if (filled.connection(i) != null && filled.connection(i) != filled.connection()) {
                    filled = filled.withMediaConnection(i, addressType, address);
                }
            }
            return filled;
        }
        List<String> formats = remote != null && !remote.media().isEmpty() ? remote.media(0).formats() : List.of("0");
        return SessionDescription.of(Connection.in(addressType, address),
            List.of(MediaDescription.of("audio", t.rtpPort(), "RTP/AVP", formats)));
    }

    private MediaDescriptor mediaReply(Termination t, MediaRequest media, boolean withLocal) {
        Sdp s = sdp.get(t);
        String local = withLocal && s != null ? s.local().format("\n") : null;
        return new MediaDescriptor(null, List.of(new StreamDescriptor(1, null, local, null)), List.of());
    }

    private MediaDescriptor auditMedia(Termination t) {
        Sdp s = sdp.get(t);
        LocalControlDescriptor lc = LocalControlDescriptor.of(h248Mode(t.mode()));
        String local = s == null ? null : s.local().format("\n");
        String remote = s == null || s.remote() == null ? null : s.remote().format("\n");
        return new MediaDescriptor(null, List.of(new StreamDescriptor(1, lc, local, remote)), List.of());
    }

    static LocalControlMode h248Mode(StreamMode mode) {
        return switch (mode) {
            case SEND_RECV -> LocalControlMode.SEND_RECEIVE;
            case SEND_ONLY -> LocalControlMode.SEND_ONLY;
            case RECV_ONLY -> LocalControlMode.RECEIVE_ONLY;
            case INACTIVE -> LocalControlMode.INACTIVE;
            case LOOPBACK -> LocalControlMode.LOOPBACK;
        };
    }

    private StatisticsDescriptor statistics(Termination t, TerminationStatistics stats) {
        Sdp s = sdp.get(t);
        return statistics(stats, s == null ? System.nanoTime() : s.addedAtNanos(), t.clockRate());
    }

    /**
     * The Statistics descriptor: Network package (nt/dur in ms, nt/os, nt/or octets) and RTP package (rtp/ps,
     * rtp/pr packets, rtp/pl packets lost, rtp/jit interarrival jitter in ms), H.248.1 Annex E.11 and E.12.
     */
    private static StatisticsDescriptor statistics(TerminationStatistics s, long addedAtNanos, int clockRate) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("nt/dur", Long.toString((System.nanoTime() - addedAtNanos) / 1_000_000));
        m.put("nt/os", Long.toString(s.octetsSent()));
        m.put("nt/or", Long.toString(s.octetsReceived()));
        m.put("rtp/ps", Long.toString(s.packetsSent()));
        m.put("rtp/pr", Long.toString(s.packetsReceived()));
        m.put("rtp/pl", Long.toString(s.lost()));
        m.put("rtp/jit", Long.toString(s.jitter() * 1000 / Math.max(1, clockRate)));
        return new StatisticsDescriptor(m);
    }

    @FunctionalInterface
    private interface PlaneCall<T> {
        T run() throws MediaPlaneException;
    }

    private interface PlaneAction {
        void run() throws MediaPlaneException;
    }

    private static void run(PlaneAction action) {
        call(() -> {
            action.run();
            return null;
        });
    }

    /** Runs a media-plane command, turning its typed failure into the H.248 error code for it. */
    private static <T> T call(PlaneCall<T> call) {
        try {
            return call.run();
        } catch (MediaPlaneException e) {
            throw new MegacoException(code(e.kind()), FdLimit.named(e.getMessage()));
        }
    }

    static ErrorCode code(MediaPlaneException.Kind kind) {
        return switch (kind) {
            case PORTS_EXHAUSTED, CONTEXTS_EXHAUSTED, IO_FAILURE -> ErrorCode.INSUFFICIENT_RESOURCES;
            case CONTEXT_FULL -> ErrorCode.MAX_TERMINATIONS_IN_CONTEXT_EXCEEDED;
            case UNKNOWN_CONTEXT -> ErrorCode.UNKNOWN_CONTEXT_ID;
            case UNKNOWN_TERMINATION -> ErrorCode.UNKNOWN_TERMINATION_ID;
            case NOT_IN_CONTEXT -> ErrorCode.TERMINATION_ID_NOT_IN_CONTEXT;
            case INVALID_ARGUMENT -> ErrorCode.UNSUPPORTED_VALUE;
        };
    }
}
