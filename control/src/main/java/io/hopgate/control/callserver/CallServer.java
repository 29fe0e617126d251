package io.hopgate.control.callserver;

import io.hopgate.control.callserver.HandoffSteps.Target;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.control.mgc.GatewayException;
import io.hopgate.control.state.RecordReplicator;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls and their handoff procedures (docs/architecture.md section 2). Every public method hands its event to the
 * single event thread and returns a future of a typed {@link Result}: the call's view, a duplicate, or why the event
 * was not applied. Which event fits which state, and which H.248 step it runs, is the table in {@link Transitions};
 * the steps themselves are {@link HandoffSteps}. A step that fails on the wire is undone as far as it went, and the
 * call keeps its previous state and path.
 *
 * <p>With a replicator ({@code state.redis}, docs/ha.md "Call server") every change of a call (created, each
 * transition with its resulting state, path, handoff and history) is written before the event's result is returned,
 * so before the HTTP API answers; {@link #restore} brings the calls back after a restart, before the API serves.
 */
public final class CallServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallServer.class);

    private final Map<String, GatewayClient> gateways;
    private final HandoffSteps steps;
    private final long handoffTimeoutMs;
    private final ScheduledExecutorService events;
    private final Map<String, Call> calls = new LinkedHashMap<>();
    private final AtomicLong nextCallId = new AtomicLong(1);
    /** Where each change of a call is written, or null ({@code state.redis} empty). */
    private final RecordReplicator<CallRecord> replicator;

    public CallServer(Map<String, GatewayClient> gateways, long handoffTimeoutMs) {
        this(gateways, handoffTimeoutMs, null);
    }

    /** A call server whose calls are written to {@code replicator} (null: memory only). */
    public CallServer(Map<String, GatewayClient> gateways, long handoffTimeoutMs,
                      RecordReplicator<CallRecord> replicator) {
        this.gateways = Map.copyOf(gateways);
        this.replicator = replicator;
        this.handoffTimeoutMs = handoffTimeoutMs;
        this.events = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopgate-callserver");
            t.setDaemon(true);
            return t;
        });
        this.steps = new HandoffSteps(this.gateways, events, this::replicate);
    }

    // ---------------------------------------------------------------- the event API

    /** Creates a call: far party's leg and the mobile's leg in a new context of {@code gateway}. */
    public CompletableFuture<Result> create(String id, String gateway, InetSocketAddress far,
                                            InetSocketAddress radio) {
        return submit(() -> onCreate(id, gateway, far, radio));
    }

    /** Handoff required toward {@code radio}, through {@code gateway} (null = the serving gateway: bicast). */
    public CompletableFuture<Result> required(String id, String gateway, InetSocketAddress radio) {
        return submit(() -> withCall(id, call -> onRequired(call, gateway, radio)));
    }

    /** Applies {@code event} (detect, complete, failure or release) to call {@code id}. */
    public CompletableFuture<Result> event(String id, Event event) {
        if (event == Event.CREATE || event == Event.REQUIRED) {
            throw new IllegalArgumentException(event + " carries arguments: use create() or required()");
        }
        return submit(() -> withCall(id, call -> apply(call, event, null)));
    }

    public CompletableFuture<Result> detect(String id) {
        return event(id, Event.DETECT);
    }

    public CompletableFuture<Result> complete(String id) {
        return event(id, Event.COMPLETE);
    }

    public CompletableFuture<Result> failure(String id) {
        return event(id, Event.FAILURE);
    }

    public CompletableFuture<Result> release(String id) {
        return event(id, Event.RELEASE);
    }

    public CompletableFuture<Result> view(String id) {
        return submit(() -> withCall(id, call -> new Result.Applied(call.view())));
    }

    public CompletableFuture<List<CallView>> views() {
        return CompletableFuture.supplyAsync(() -> {
            List<CallView> all = new ArrayList<>();
            for (Call c : calls.values()) {
                all.add(c.view());
            }
            return all;
        }, events);
    }

    private CompletableFuture<Result> submit(Supplier<Result> event) {
        return CompletableFuture.supplyAsync(event, events);
    }

    private Result withCall(String id, java.util.function.Function<Call, Result> event) {
        Call call = calls.get(id);
        return call == null ? new Result.NoSuchCall(id) : event.apply(call);
    }

    private Result.Invalid unknownGateway(String name) {
        return new Result.Invalid("unknown gateway '" + name + "'; configured: " + gateways.keySet());
    }

    // ---------------------------------------------------------------- create and required: events with arguments

    private Result onCreate(String requestedId, String gatewayName, InetSocketAddress far, InetSocketAddress radio) {
        long start = System.nanoTime();
        String id = requestedId == null || requestedId.isBlank() ? "c" + nextCallId.getAndIncrement() : requestedId;
        Call existing = calls.get(id);
        if (existing != null) {
            if (existing.state != CallState.RELEASED && existing.anchor.equals(gatewayName)
                && existing.farRemote.equals(far) && existing.serving.radioRemote().equals(radio)) {
                return new Result.Duplicate(existing.view().asDuplicate()); // a retransmitted create
            }
            return new Result.Refused("call " + id + " already exists", existing.state);
        }
        if (!gateways.containsKey(gatewayName)) {
            return unknownGateway(gatewayName);
        }
        Transition t = Transitions.find(null, Event.CREATE, null);
        Call call;
        try {
            call = steps.create(id, gatewayName, far, radio);
        } catch (GatewayException e) {
            return new Result.GatewayFailed(e.getMessage(), null);
        }
        call.state = t.to();
        calls.put(id, call);
        call.record(Event.CREATE, t.step(), gatewayName + " ctx=" + call.anchorContext.text() + " far="
            + call.far.text() + " radio=" + call.serving.radio().text(), start);
        replicate(call);
        LOG.info("call created call={} gw={} ctx={} far={} radio={}", id, gatewayName, call.anchorContext.text(),
            call.far.text(), call.serving.radio().text());
        return new Result.Applied(call.view());
    }

    private Result onRequired(Call call, String targetGateway, InetSocketAddress radio) {
        String target = targetGateway == null || targetGateway.isBlank() ? call.serving.gateway() : targetGateway;
        if (!gateways.containsKey(target)) {
            return unknownGateway(target);
        }
        return apply(call, Event.REQUIRED, new Target(target, radio));
    }

    // ---------------------------------------------------------------- the table driver

    /**
     * Applies {@code event} to {@code call} by its row in {@link Transitions}: a repeated event is answered as a
     * duplicate, an event without a row is refused, else the row's step runs and the call takes the row's state.
     */
    private Result apply(Call call, Event event, Target target) {
        if (repeats(call, event, target)) {
            return new Result.Duplicate(call.view().asDuplicate());
        }
        Procedure procedure = event == Event.REQUIRED
            ? Procedure.toward(target.gateway(), call.serving.gateway(), call.anchor) : call.procedure();
        Transition t = Transitions.find(call.state, event, procedure);
        if (t == null) {
            return new Result.Refused("handoff " + event.token() + " does not fit call " + call.id + " in state "
                + call.state, call.state);
        }
        while (true) {
            long start = System.nanoTime();
            String detail;
            try {
                detail = steps.run(t.step(), call, target);
            } catch (GatewayException e) {
                return new Result.GatewayFailed(e.getMessage(), call.state);
            }
            call.state = t.to();
            call.lastEvent = event;
            if (call.state == CallState.PREPARED && call.handoff.timer == null) {
                armTimer(call, call.handoff, handoffTimeoutMs);
            } else if (call.state == CallState.ACTIVE || call.state == CallState.RELEASED) {
                endHandoff(call);
            }
            call.record(event, t.step(), detail, start);
            replicate(call);
            if (!t.continues()) {
                return new Result.Applied(call.view());
            }
            t = Transitions.find(call.state, event, call.procedure());
        }
    }

    /** The event repeats the last applied one ({@link Event#repeatsOf()}); a required must name the same path. */
    private static boolean repeats(Call call, Event event, Target target) {
        if (!event.repeatsOf().contains(call.lastEvent)) {
            return false;
        }
        if (event != Event.REQUIRED) {
            return true;
        }
        // a retransmitted required, of the handoff under way or of the one that just completed
        Call.Leg asked = call.lastEvent == Event.REQUIRED ? call.handoff.target : call.serving;
        return asked.gateway().equals(target.gateway()) && asked.radioRemote().equals(target.radio());
    }

    private void armTimer(Call call, Call.Handoff handoff, long inMs) {
        handoff.deadlineMs = System.currentTimeMillis() + inMs;
        handoff.timer = events.schedule(() -> onTimeout(call, handoff), inMs, TimeUnit.MILLISECONDS);
    }

    /** Writes the call as it is now, when a replicator is set; a store that does not answer costs its timeout once. */
    private void replicate(Call call) {
        if (replicator != null) {
            replicator.record(call.id, CallRecord.of(call));
        }
    }

    // ---------------------------------------------------------------- restart

    /** What {@link #restore} brought back: calls, of which handoffs under way, and records it could not read. */
    public record Restored(int calls, int handoffs, int unreadable) {
    }

    /**
     * Brings back the calls of a previous run (docs/ha.md, "Call server"), before any event: same ids, paths, state,
     * last event and history; a handoff under way gets its timer again with what was left of it (one whose deadline
     * passed while no call server ran is rolled back at once, driving the same gateways). Generated ids continue
     * after the highest restored one. Blocks until done.
     */
    public Restored restore(Collection<CallRecord> records) {
        return CompletableFuture.supplyAsync(() -> {
            int handoffs = 0;
            int unreadable = 0;
            for (CallRecord r : records) {
                Call call;
                try {
                    call = r.toCall();
                } catch (RuntimeException e) {
                    unreadable++;
                    LOG.warn("call not restored call={} cause={}", r.id(), e.getMessage());
                    continue;
                }
                calls.put(call.id, call);
                raiseNextCallId(call.id);
                for (Call.Deferred action : call.deferred) {
                    steps.schedule(call, action); // what the previous run put off and did not get to
                    LOG.info("deferred action restored call={} action={} leg={}", call.id, action.kind(),
                        action.leg().anchorTerm().text());
                }
                if (call.handoff != null) {
                    handoffs++;
                    long leftMs = call.handoff.deadlineMs == 0 ? handoffTimeoutMs
                        : Math.max(0, call.handoff.deadlineMs - System.currentTimeMillis());
                    armTimer(call, call.handoff, leftMs);
                    LOG.info("handoff restored call={} state={} procedure={} target={} timeout-in={}ms", call.id,
                        call.state, call.handoff.procedure, call.handoff.target.gateway(), leftMs);
                }
            }
            return new Restored(calls.size(), handoffs, unreadable);
        }, events).join();
    }

    private void raiseNextCallId(String id) {
        if (id.length() > 1 && id.charAt(0) == 'c' && id.substring(1).chars().allMatch(Character::isDigit)
            && id.length() < 19) {
            long n = Long.parseLong(id.substring(1));
            nextCallId.accumulateAndGet(n + 1, Math::max);
        }
    }

    private void onTimeout(Call call, Call.Handoff handoff) {
        if (call.handoff != handoff) {
            return;
        }
        LOG.warn("handoff timed out call={} state={} after={}ms", call.id, call.state, handoffTimeoutMs);
        Result r;
        try {
            r = apply(call, Event.TIMEOUT, null);
        } catch (RuntimeException e) {
            LOG.warn("handoff timeout rollback failed call={} cause={}", call.id, e.toString());
            return;
        }
        if (!(r instanceof Result.Applied)) {
            LOG.warn("handoff timeout rollback failed call={} result={}", call.id, r);
        }
    }

    private static void endHandoff(Call call) {
        Call.Handoff h = call.handoff;
        if (h != null && h.timer != null) {
            h.timer.cancel(false);
        }
        call.handoff = null;
    }

    static String format(InetSocketAddress a) {
        return a == null ? null : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void close() {
        events.shutdownNow();
    }
}
