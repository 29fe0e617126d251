package io.hopgate.control.mgc;

import io.hopgate.control.h248.LocalControlMode;
import io.hopgate.control.h248.ActionReply;
import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.CommandReply;
import io.hopgate.control.h248.CommandRequest;
import io.hopgate.control.h248.CommandType;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.ContextProperties;
import io.hopgate.control.h248.Descriptor;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.LocalControlDescriptor;
import io.hopgate.control.h248.MediaDescriptor;
import io.hopgate.control.h248.StatisticsDescriptor;
import io.hopgate.control.h248.StreamDescriptor;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.h248.TopologyTriple;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.megaco.MegacoEndpoint;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MGC side toward one gateway: typed helpers that build H.248 transactions with the shared codec, send them
 * through the call server's {@link MegacoEndpoint} (retransmission, backoff, Pending and timeout are its job) and
 * turn Error descriptors into {@link GatewayException}s carrying the code and text.
 *
 * <p>Threads: the blocking calls wait for the reply; they are made on the call server's event thread only. The
 * {@code *Async} calls never wait and may be made from any thread; their futures complete on the endpoint's reply
 * thread, so a caller that owns its state (the SIP server) continues with {@code whenCompleteAsync(..., itsExecutor)}.
 */
public final class GatewayClient {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayClient.class);
    private static final int VERSION = 1;

    /**
     * What an Add answered: the context (chosen by the gateway when {@code $}), the new termination, its RTP address.
     */
    public record Added(ContextId context, TerminationId termination, InetSocketAddress local) {
    }

    /** One command of a Modify: a termination's new mode and/or remote address (null = unchanged). */
    public record Change(TerminationId termination, LocalControlMode mode, InetSocketAddress remote) {
    }

    /**
     * What one Add or Modify asks of a termination's stream 1. A null field is left out of the request: on a Modify
     * it stays as it is.
     *
     * @param mode      LocalControl Mode
     * @param remoteSdp the Remote as SDP text; a SIP party's own SDP goes here whole, so the gateway takes its formats
     *                  and clock rate as well as its address
     * @param moving    LocalControl {@value #MOVING_PROPERTY}: on holds RTP for the termination, in order, until its
     *                  next Remote is set, which sends what was held first (docs/architecture.md section 2.7)
     * @param dualReceive LocalControl {@value #DUAL_RECEIVE_PROPERTY}: the new Remote keeps the old source until the
     *                  new one is heard (a party that moved); false = a hard switch
     */
    public record StreamRequest(LocalControlMode mode, String remoteSdp, Boolean moving, boolean dualReceive) {
        /** Marks the termination moving and nothing else: its mode and Remote stay until the move's new Remote. */
        public static final StreamRequest MOVING = new StreamRequest(null, null, Boolean.TRUE);

        public StreamRequest(LocalControlMode mode, String remoteSdp, Boolean moving) {
            this(mode, remoteSdp, moving, false);
        }

        public static StreamRequest of(LocalControlMode mode, String remoteSdp) {
            return new StreamRequest(mode, remoteSdp, null);
        }

        /** A party's new address after it moved: dual receive (RFC 3264 section 8.3.1), not a hard switch. */
        public static StreamRequest moved(LocalControlMode mode, String remoteSdp) {
            return new StreamRequest(mode, remoteSdp, null, true);
        }
    }

    /** Hopgate's LocalControl property read by the gateway (see {@code gateway.MediaRequest}). */
    public static final String MOVING_PROPERTY = "hopgate/moving";
    /**
     * Hopgate's LocalControl property asking for dual receive on a Remote change (see {@code gateway.MediaRequest}).
     */
    public static final String DUAL_RECEIVE_PROPERTY = "hopgate/dual-receive";

    private final String name;
    private final InetSocketAddress address;
    private final MegacoEndpoint endpoint;
    private final long waitMs;

    /**
     * @param waitMs a last-resort bound on a blocking wait, above the endpoint's own retransmission timeout
     */
    public GatewayClient(String name, InetSocketAddress address, MegacoEndpoint endpoint, long waitMs) {
        this.name = name;
        this.address = address;
        this.endpoint = endpoint;
        this.waitMs = waitMs;
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Adds one new termination Inactive (Add, then arm) with {@code remote} (null = none yet). */
    public Added add(ContextId context, InetSocketAddress remote) {
        return addAll(context, List.of(remote)).get(0);
    }

    /** Adds one new termination per remote (null = none yet), all Inactive, in one action on {@code context}. */
    public List<Added> addAll(ContextId context, List<InetSocketAddress> remotes) {
        return added(addAllAsync(context, remotes), remotes.size());
    }

    /** Sends the Adds of {@link #addAll} without waiting; {@link #added} waits and reads the reply. */
    public CompletableFuture<TransactionReply> addAllAsync(ContextId context, List<InetSocketAddress> remotes) {
        return addAllAsync(context, remotes, LocalControlMode.INACTIVE);
    }

    /**
     * Sends one action of Adds in {@code mode} without waiting. Handoff legs use Inactive (add, then arm); a plain
     * two-party call, e.g. a load run's, can come up SendReceive at once.
     */
    public CompletableFuture<TransactionReply> addAllAsync(ContextId context, List<InetSocketAddress> remotes,
                                                           LocalControlMode mode) {
        List<CommandRequest> commands = new ArrayList<>();
        for (InetSocketAddress remote : remotes) {
            commands.add(new CommandRequest(CommandType.ADD, TerminationId.CHOOSE, List.of(media(mode, remote))));
        }
        return endpoint.request(address, VERSION, List.of(new ActionRequest(context, commands)));
    }

    /** Waits for an Add transaction and reads what it added; a failed one is undone as far as it went. */
    public List<Added> added(CompletableFuture<TransactionReply> pending, int expected) {
        TransactionReply reply = await("add", pending);
        ErrorDescriptor error = firstError(reply);
        if (error != null) {
            // Waiting for the undo keeps this call's promise: when it throws, nothing it added is left behind.
            // The undo's future never fails (each Subtract's failure is logged), so only the bound can end it early.
            try {
                undoPartialAdd(reply).get(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("undo of a partial add unfinished gw={} after {} ms cause={}", name, waitMs, e.toString());
            }
            throw failure("add", reply, error);
        }
        return readAdded(reply, expected);
    }

    /**
     * Adds one termination per stream request, in order, in one action on {@code context}, without waiting. The
     * future completes with what was added (same order), or fails with a {@link GatewayException} naming the H.248
     * error code once the Adds before the failing one have been subtracted again.
     */
    public CompletableFuture<List<Added>> addAsync(ContextId context, List<StreamRequest> streams) {
        List<CommandRequest> commands = new ArrayList<>();
        for (StreamRequest stream : streams) {
            commands.add(new CommandRequest(CommandType.ADD, TerminationId.CHOOSE, List.of(media(stream))));
        }
        return settled("add", sendAsync("add", List.of(new ActionRequest(context, commands))).thenCompose(reply -> {
            ErrorDescriptor error = firstError(reply);
            if (error != null) {
                GatewayException failure = failure("add", reply, error);
                return undoPartialAdd(reply)
                    .thenCompose(undone -> CompletableFuture.<List<Added>>failedFuture(failure));
            }
            return CompletableFuture.completedFuture(readAdded(reply, streams.size()));
        }));
    }

    /**
     * Modifies stream 1 of one termination without waiting. The future completes when the gateway has applied it, or
     * fails with a {@link GatewayException} naming the H.248 error code.
     */
    public CompletableFuture<Void> modifyStreamAsync(ContextId context, TerminationId termination,
                                                     StreamRequest stream) {
        return checkedAsync("modify", List.of(new ActionRequest(context, List.of(
            new CommandRequest(CommandType.MODIFY, termination, List.of(media(stream)))))));
    }

    /** {@link #release} without waiting: the future fails with a {@link GatewayException} on an Error descriptor. */
    public CompletableFuture<Void> releaseAsync(ContextId context) {
        return checkedAsync("release", List.of(new ActionRequest(context,
            List.of(new CommandRequest(CommandType.SUBTRACT, TerminationId.ALL, List.of())))));
    }

    /** The Adds that succeeded before the failing one stay done (H.248.1 8.2.2): subtract them, without waiting. */
    private CompletableFuture<Void> undoPartialAdd(TransactionReply reply) {
        List<CompletableFuture<Void>> undone = new ArrayList<>();
        for (ActionReply a : reply.actions()) {
            if (!a.contextId().isConcrete()) {
                continue;
            }
            for (CommandReply c : a.commands()) {
                if (c.type() == CommandType.ADD && c.error() == null && !c.terminationId().isChoose()) {
                    undone.add(checkedAsync("undo add", List.of(new ActionRequest(a.contextId(), List.of(
                        new CommandRequest(CommandType.SUBTRACT, c.terminationId(), List.of())))))
                        .exceptionally(e -> {
                            LOG.warn("cannot undo partial add gw={} ctx={} term={} cause={}", name,
                                a.contextId().text(), c.terminationId().text(), unwrap(e).getMessage());
                            return null;
                        }));
                }
            }
        }
        return CompletableFuture.allOf(undone.toArray(CompletableFuture[]::new));
    }

    private List<Added> readAdded(TransactionReply reply, int expected) {
        if (reply.actions().isEmpty()) {
            throw new GatewayException(name, 0, "add reply has no action", null);
        }
        ActionReply action = reply.actions().get(0);
        List<Added> added = new ArrayList<>();
        for (CommandReply c : action.commands()) {
            added.add(new Added(action.contextId(), c.terminationId(), localAddress(c)));
        }
        if (added.size() != expected) {
            throw new GatewayException(name, 0, "Add answered " + added.size() + " terminations, expected "
                + expected, null);
        }
        return added;
    }

    /** Sends the transaction of {@link #modify} without waiting; {@link #check} waits for it. */
    public CompletableFuture<TransactionReply> modifyAsync(ContextId context, List<TopologyTriple> topology,
                                                           List<Change> changes) {
        List<CommandRequest> commands = new ArrayList<>();
        for (Change change : changes) {
            commands.add(new CommandRequest(CommandType.MODIFY, change.termination(),
                List.of(media(change.mode(), change.remote()))));
        }
        return endpoint.request(address, VERSION, List.of(new ActionRequest(context,
            ContextProperties.topology(topology), commands)));
    }

    /** Waits for a transaction sent without waiting; any Error descriptor fails it. */
    public TransactionReply check(String what, CompletableFuture<TransactionReply> pending) {
        TransactionReply reply = await(what, pending);
        ErrorDescriptor error = firstError(reply);
        if (error != null) {
            throw failure(what, reply, error);
        }
        return reply;
    }

    /**
     * One transaction on {@code context}: topology triples first (the gateway applies them before commands), then
     * Modifies.
     */
    public void modify(ContextId context, List<TopologyTriple> topology, List<Change> changes) {
        List<CommandRequest> commands = new ArrayList<>();
        for (Change change : changes) {
            commands.add(new CommandRequest(CommandType.MODIFY, change.termination(),
                List.of(media(change.mode(), change.remote()))));
        }
        execute("modify", List.of(new ActionRequest(context, ContextProperties.topology(topology), commands)));
    }

    /**
     * One transaction on {@code context}: topology, then Subtract {@code subtract} (may be null), then Modifies.
     * Returns the subtracted termination's statistics (empty when none came back).
     */
    public Map<String, String> subtractAndModify(ContextId context, List<TopologyTriple> topology,
                                                 TerminationId subtract, List<Change> changes) {
        List<CommandRequest> commands = new ArrayList<>();
        if (subtract != null) {
            commands.add(new CommandRequest(CommandType.SUBTRACT, subtract, List.of()));
        }
        for (Change change : changes) {
            commands.add(new CommandRequest(CommandType.MODIFY, change.termination(),
                List.of(media(change.mode(), change.remote()))));
        }
        TransactionReply reply = execute("subtract", List.of(new ActionRequest(context,
            ContextProperties.topology(topology), commands)));
        if (subtract == null) {
            return Map.of();
        }
        for (CommandReply c : reply.actions().get(0).commands()) {
            if (c.type() == CommandType.SUBTRACT) {
                StatisticsDescriptor stats = c.descriptor(StatisticsDescriptor.class);
                return stats == null ? Map.of() : stats.statistics();
            }
        }
        return Map.of();
    }

    /** Subtracts one termination; returns its statistics. */
    public Map<String, String> subtract(ContextId context, TerminationId termination) {
        return subtractAndModify(context, List.of(), termination, List.of());
    }

    /** Subtracts every termination of {@code context} (Subtract *), which deletes the context. */
    public void release(ContextId context) {
        execute("release", List.of(new ActionRequest(context,
            List.of(new CommandRequest(CommandType.SUBTRACT, TerminationId.ALL, List.of())))));
    }

    /** Sends one transaction and waits for its reply; any Error descriptor fails it. */
    public TransactionReply execute(String what, List<ActionRequest> actions) {
        TransactionReply reply = send(what, actions);
        ErrorDescriptor error = firstError(reply);
        if (error != null) {
            throw failure(what, reply, error);
        }
        if (reply.actions().isEmpty()) {
            throw new GatewayException(name, 0, what + " reply has no action", null);
        }
        return reply;
    }

    private GatewayException failure(String what, TransactionReply reply, ErrorDescriptor error) {
        LOG.warn("gateway error gw={} op={} txn={} code={} text={}", name, what, reply.id(), error.code(),
            error.text());
        return new GatewayException(name, error.code(), error.text(), null);
    }

    /** Sends one transaction without waiting; the future fails with a GatewayException on any Error descriptor. */
    private CompletableFuture<Void> checkedAsync(String what, List<ActionRequest> actions) {
        return settled(what, sendAsync(what, actions).thenApply(reply -> {
            ErrorDescriptor error = firstError(reply);
            if (error != null) {
                throw failure(what, reply, error);
            }
            return null;
        }));
    }

    /** Sends one transaction without waiting; the future fails only on timeout or transport, as a GatewayException. */
    private CompletableFuture<TransactionReply> sendAsync(String what, List<ActionRequest> actions) {
        return settled(what, endpoint.request(address, VERSION, actions));
    }

    /**
     * The same outcome, but a failure is always a {@link GatewayException} and never wrapped: CompletableFuture wraps
     * a failure of an earlier stage in CompletionException, which would hide the code from a caller's check.
     */
    private <T> CompletableFuture<T> settled(String what, CompletableFuture<T> pending) {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        pending.whenComplete((value, error) -> {
            if (error == null) {
                outcome.complete(value);
                return;
            }
            Throwable cause = unwrap(error);
            outcome.completeExceptionally(cause instanceof GatewayException g ? g
                : new GatewayException(name, 0, what + " failed: " + cause.getMessage(), cause));
        });
        return outcome;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Sends one transaction and waits for its reply, whatever it says; fails only on timeout or transport. */
    private TransactionReply send(String what, List<ActionRequest> actions) {
        return await(what, endpoint.request(address, VERSION, actions));
    }

    private TransactionReply await(String what, CompletableFuture<TransactionReply> pending) {
        try {
            return pending.get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(name, 0, what + " interrupted", e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new GatewayException(name, 0, what + " failed: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new GatewayException(name, 0, what + " got no reply within " + waitMs + " ms", e);
        }
    }

    /** The transaction's, an action's or a command's Error descriptor, the first found; null when none. */
    private static ErrorDescriptor firstError(TransactionReply reply) {
        if (reply.error() != null) {
            return reply.error();
        }
        for (ActionReply action : reply.actions()) {
            if (action.error() != null) {
                return action.error();
            }
            for (CommandReply c : action.commands()) {
                if (c.error() != null) {
                    return c.error();
                }
            }
        }
        return null;
    }

    static MediaDescriptor media(LocalControlMode mode, InetSocketAddress remote) {
        return media(StreamRequest.of(mode, remote == null ? null : sdp(remote)));
    }

    static MediaDescriptor media(StreamRequest stream) {
        LocalControlDescriptor lc = null;
        if (stream.moving() != null || stream.dualReceive()) {
            Map<String, String> properties = new java.util.LinkedHashMap<>();
            if (stream.moving() != null) {
                properties.put(MOVING_PROPERTY, stream.moving() ? "on" : "off");
            }
            if (stream.dualReceive()) {
                properties.put(DUAL_RECEIVE_PROPERTY, "on");
            }
            lc = new LocalControlDescriptor(stream.mode(), null, null, properties);
        } else if (stream.mode() != null) {
            lc = LocalControlDescriptor.of(stream.mode());
        }
        return new MediaDescriptor(null, List.of(new StreamDescriptor(1, lc, null, stream.remoteSdp())));
    }

    /** The SDP naming one RTP address, PCMU (the gateway only reads c= and m=). */
    static String sdp(InetSocketAddress address) {
        String type = address.getAddress() instanceof Inet6Address ? "IP6" : "IP4";
        return "v=0\nc=IN " + type + " " + address.getAddress().getHostAddress() + "\nm=audio " + address.getPort()
            + " RTP/AVP 0";
    }

    private InetSocketAddress localAddress(CommandReply reply) {
        for (Descriptor d : reply.descriptors()) {
            if (d instanceof MediaDescriptor media && !media.streams().isEmpty()
                && media.streams().get(0).localSdp() != null) {
                return parseSdp(media.streams().get(0).localSdp());
            }
        }
        throw new GatewayException(name, 0, "Add reply for " + reply.terminationId().text() + " has no Local SDP",
            null);
    }

    /** The RTP address from an SDP's c= and first m= line. */
    static InetSocketAddress parseSdp(String sdp) {
        String host = null;
        int port = -1;
        for (String raw : sdp.split("\\r?\\n")) {
            String line = raw.trim();
            if (line.startsWith("c=") && host == null) {
                String[] parts = line.substring(2).trim().split("\\s+");
                host = parts[parts.length - 1];
            } else if (line.startsWith("m=") && port < 0) {
                port = Integer.parseInt(line.substring(2).trim().split("\\s+")[1]);
            }
        }
        if (host == null || port < 0) {
            throw new IllegalArgumentException("SDP without c= or m= line: " + sdp);
        }
        return new InetSocketAddress(host, port);
    }
}
