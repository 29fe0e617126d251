package io.hopgate.control.callserver;

import static io.hopgate.control.h248.TopologyDirection.BOTHWAY;
import static io.hopgate.control.h248.TopologyDirection.ISOLATE;
import static io.hopgate.control.h248.TopologyDirection.ONEWAY;

import io.hopgate.control.callserver.Call.Handoff;
import io.hopgate.control.callserver.Call.Kind;
import io.hopgate.control.callserver.Call.Leg;
import io.hopgate.control.callserver.Call.State;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.control.mgc.GatewayClient.Added;
import io.hopgate.control.mgc.GatewayClient.Change;
import io.hopgate.control.mgc.GatewayException;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.StreamMode;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.h248.TopologyTriple;
import io.hopgate.control.h248.TransactionReply;
import java.net.InetSocketAddress;
import java.util.ArrayList;
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
 * single event
 * thread and returns a future of the call's JSON view; a refused event fails the future with an {@link ApiException}.
 *
 * <p>Procedures, each a small state machine on {@link Call#state}:
 * <ul>
 *   <li>bicast hard handoff in the serving gateway (seed 001): required = prepare (add B' Inactive; isolate it from
 *       A and B, SendOnly), detect = execute ((A, B') oneway: bicast), complete ((A, B') bothway, Subtract B,
 *       B' SendRecv), failure/timeout from PREPARED or EXECUTED = ((A, B') isolate, Subtract B').</li>
 *   <li>handoff to another gateway (seed 000), also used for the next gateway and for the handback: required = new
 *       context {radio, link} in the target (Inactive), link termination K in the anchor context (Inactive, then
 *       isolated from the current mobile leg X and SendOnly), then the target's link pointed at K and armed
 *       (bicast across gateways); detect = K SendRecv and X SendOnly (K is bidirectional only from here); complete =
 *       Subtract X and release the old serving gateway's context; failure/timeout = X SendRecv, Subtract K, release
 *       the target's context. For a handback the target is the anchor: K is a radio leg (T1 re-created).</li>
 * </ul>
 * A step that fails on the wire is undone as far as it went, and the call keeps its previous state and path.
 */
public final class CallServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallServer.class);

    private final Map<String, GatewayClient> gateways;
    private final long handoffTimeoutMs;
    private final ScheduledExecutorService events;
    private final Map<String, Call> calls = new LinkedHashMap<>();
    private final AtomicLong nextCallId = new AtomicLong(1);

    public CallServer(Map<String, GatewayClient> gateways, long handoffTimeoutMs) {
        this.gateways = Map.copyOf(gateways);
        this.handoffTimeoutMs = handoffTimeoutMs;
        this.events = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopgate-callserver");
            t.setDaemon(true);
            return t;
        });
    }

    // ---------------------------------------------------------------- the event API

    /** Creates a call: far party's leg and the mobile's leg in a new context of {@code gateway}. */
    public CompletableFuture<Map<String, Object>> create(String id, String gateway, InetSocketAddress far,
                                                         InetSocketAddress radio) {
        return submit(() -> onCreate(id, gateway, far, radio));
    }

    /** Handoff required toward {@code radio}, through {@code gateway} (null = the serving gateway: bicast). */
    public CompletableFuture<Map<String, Object>> required(String id, String gateway, InetSocketAddress radio) {
        return submit(() -> onRequired(call(id), gateway, radio));
    }

    public CompletableFuture<Map<String, Object>> detect(String id) {
        return submit(() -> onDetect(call(id)));
    }

    public CompletableFuture<Map<String, Object>> complete(String id) {
        return submit(() -> onComplete(call(id)));
    }

    public CompletableFuture<Map<String, Object>> failure(String id) {
        return submit(() -> onFailure(call(id), "failure"));
    }

    public CompletableFuture<Map<String, Object>> release(String id) {
        return submit(() -> onRelease(call(id)));
    }

    public CompletableFuture<Map<String, Object>> view(String id) {
        return submit(() -> call(id).view());
    }

    public CompletableFuture<List<Map<String, Object>>> views() {
        return CompletableFuture.supplyAsync(() -> {
            List<Map<String, Object>> all = new ArrayList<>();
            for (Call c : calls.values()) {
                all.add(c.view());
            }
            return all;
        }, events);
    }

    private <T> CompletableFuture<T> submit(Supplier<T> event) {
        return CompletableFuture.supplyAsync(event, events);
    }

    private Call call(String id) {
        Call call = calls.get(id);
        if (call == null) {
            throw new ApiException(404, "no call " + id, null);
        }
        return call;
    }

    private GatewayClient gateway(String name) {
        GatewayClient g = gateways.get(name);
        if (g == null) {
            throw new ApiException(400, "unknown gateway '" + name + "'; configured: " + gateways.keySet(), null);
        }
        return g;
    }

    // ---------------------------------------------------------------- create and release

    private Map<String, Object> onCreate(String requestedId, String gatewayName, InetSocketAddress far,
                                         InetSocketAddress radio) {
        long start = System.nanoTime();
        String id = requestedId == null || requestedId.isBlank() ? "c" + nextCallId.getAndIncrement() : requestedId;
        if (calls.containsKey(id)) {
            Call existing = calls.get(id);
            if (existing.state != State.RELEASED && existing.anchor.equals(gatewayName)
                && existing.farRemote.equals(far) && existing.serving.radioRemote().equals(radio)) {
                return duplicate(existing); // a retransmitted create
            }
            throw new ApiException(409, "call " + id + " already exists", existing.state.name());
        }
        GatewayClient g = gateway(gatewayName);
        List<Added> added = wire(() -> g.addAll(ContextId.CHOOSE, java.util.Arrays.asList(far, radio)));
        ContextId ctx = added.get(0).context();
        TerminationId t2 = added.get(0).termination();
        TerminationId t1 = added.get(1).termination();
        try {
            g.modify(ctx, List.of(), List.of(new Change(t2, StreamMode.SEND_RECEIVE, null),
                new Change(t1, StreamMode.SEND_RECEIVE, null)));
        } catch (GatewayException e) {
            quietly(() -> g.release(ctx));
            throw new ApiException(502, e.getMessage(), null);
        }
        Leg leg = new Leg(gatewayName, ctx, t1, radio, added.get(1).local(), t1, null);
        Call call = new Call(id, gatewayName, ctx, t2, far, added.get(0).local(), leg);
        calls.put(id, call);
        call.record("create", gatewayName + " ctx=" + ctx.text() + " far=" + t2.text() + " radio=" + t1.text(), start);
        LOG.info("call created call={} gw={} ctx={} far={} radio={}", id, gatewayName, ctx.text(), t2.text(), t1.text());
        return call.view();
    }

    private Map<String, Object> onRelease(Call call) {
        long start = System.nanoTime();
        if (call.state == State.RELEASED) {
            return duplicate(call);
        }
        if (call.handoff != null) {
            onFailure(call, "release");
        }
        GatewayClient anchor = gateway(call.anchor);
        quietly(() -> anchor.release(call.anchorContext));
        if (!call.serving.local()) {
            GatewayClient far = gateway(call.serving.gateway());
            quietly(() -> far.release(call.serving.context()));
        }
        call.state = State.RELEASED;
        call.lastEvent = "release";
        call.record("release", "", start);
        return call.view();
    }

    // ---------------------------------------------------------------- handoff required (prepare)

    private Map<String, Object> onRequired(Call call, String targetGateway, InetSocketAddress radio) {
        long start = System.nanoTime();
        String target = targetGateway == null || targetGateway.isBlank() ? call.serving.gateway() : targetGateway;
        gateway(target);
        if (call.handoff != null && call.lastEvent.equals("required") && call.handoff.target.gateway().equals(target)
            && call.handoff.target.radioRemote().equals(radio)) {
            return duplicate(call);
        }
        if (call.state == State.ACTIVE && call.lastEvent.equals("complete") && call.serving.gateway().equals(target)
            && call.serving.radioRemote().equals(radio)) {
            return duplicate(call); // a retransmitted required of the handoff that just completed
        }
        requireState(call, "handoff required", State.ACTIVE);
        Handoff handoff = target.equals(call.serving.gateway()) ? prepareBicast(call, radio)
            : prepareGateway(call, target, radio);
        call.handoff = handoff;
        call.state = State.PREPARED;
        call.lastEvent = "required";
        handoff.timer = events.schedule(() -> onTimeout(call, handoff), handoffTimeoutMs, TimeUnit.MILLISECONDS);
        call.record("required", handoff.kind + " to " + target + " radio=" + handoff.target.radio().text()
            + (handoff.target.local() ? "" : " link=" + handoff.target.anchorTerm().text() + "<->"
            + handoff.target.link().text()), start);
        return call.view();
    }

    /** Seed 001 step 1: Add B' Inactive, then (A, B', isolate), (B, B', isolate), B' SendOnly. */
    private Handoff prepareBicast(Call call, InetSocketAddress radio) {
        Leg s = call.serving;
        GatewayClient g = gateway(s.gateway());
        Added b2 = wire(() -> g.add(s.context(), radio));
        TerminationId a = aSide(call, s);
        try {
            g.modify(s.context(), List.of(triple(a, b2.termination(), ISOLATE), triple(s.radio(), b2.termination(),
                ISOLATE)), List.of(new Change(b2.termination(), StreamMode.SEND_ONLY, null)));
        } catch (GatewayException e) {
            quietly(() -> g.subtract(s.context(), b2.termination()));
            throw new ApiException(502, e.getMessage(), call.state.name());
        }
        TerminationId anchorTerm = s.local() ? b2.termination() : s.anchorTerm();
        return new Handoff(Kind.BICAST, new Leg(s.gateway(), s.context(), b2.termination(), radio, b2.local(),
            anchorTerm, s.link()));
    }

    /** Seed 000 steps 1-2 (and 5, 6): new path through {@code target}, bicast from the anchor. */
    private Handoff prepareGateway(Call call, String target, InetSocketAddress radio) {
        GatewayClient anchor = gateway(call.anchor);
        TerminationId x = call.serving.anchorTerm();
        if (target.equals(call.anchor)) {
            // Handback: T1 again (it no longer exists once the call left the anchor), armed like a link leg.
            Added t1 = wire(() -> anchor.add(call.anchorContext, radio));
            try {
                anchor.modify(call.anchorContext, List.of(triple(x, t1.termination(), ISOLATE)),
                    List.of(new Change(t1.termination(), StreamMode.SEND_ONLY, null)));
            } catch (GatewayException e) {
                quietly(() -> anchor.subtract(call.anchorContext, t1.termination()));
                throw new ApiException(502, e.getMessage(), call.state.name());
            }
            return new Handoff(Kind.GATEWAY, new Leg(call.anchor, call.anchorContext, t1.termination(), radio,
                t1.local(), t1.termination(), null));
        }
        GatewayClient g = gateway(target);
        // Two rounds of two transactions in parallel, so the new path is up after two round trips, not four.
        // Round 1 (Add): in the target the radio leg (T4/T7) and the link (T5/T6) in a new context; in the anchor
        // the link K (T3); all Inactive. Round 2 (arm): K isolated from the current mobile leg X, Remote = the
        // target's link, SendOnly (G1 to G2 only); the target's link Remote = K, both target legs SendRecv.
        CompletableFuture<TransactionReply> farAdd = g.addAllAsync(ContextId.CHOOSE,
            java.util.Arrays.asList(radio, null));
        CompletableFuture<TransactionReply> anchorAdd = anchor.addAllAsync(call.anchorContext,
            java.util.Collections.singletonList(null));
        List<Added> far = null;
        Added k = null;
        GatewayException failed = null;
        try {
            far = g.added(farAdd, 2);
        } catch (GatewayException e) {
            failed = e;
        }
        try {
            k = anchor.added(anchorAdd, 1).get(0);
        } catch (GatewayException e) {
            failed = failed == null ? e : failed;
        }
        if (failed == null) {
            Added radioLeg = far.get(0);
            Added link = far.get(1);
            TerminationId kt = k.termination();
            CompletableFuture<TransactionReply> armAnchor = anchor.modifyAsync(call.anchorContext,
                List.of(triple(x, kt, ISOLATE)), List.of(new Change(kt, StreamMode.SEND_ONLY, link.local())));
            CompletableFuture<TransactionReply> armFar = g.modifyAsync(radioLeg.context(), List.of(), List.of(
                new Change(link.termination(), StreamMode.SEND_RECEIVE, k.local()),
                new Change(radioLeg.termination(), StreamMode.SEND_RECEIVE, null)));
            try {
                anchor.check("arm", armAnchor);
            } catch (GatewayException e) {
                failed = e;
            }
            try {
                g.check("arm", armFar);
            } catch (GatewayException e) {
                failed = failed == null ? e : failed;
            }
            if (failed == null) {
                return new Handoff(Kind.GATEWAY, new Leg(target, radioLeg.context(), radioLeg.termination(), radio,
                    radioLeg.local(), kt, link.termination()));
            }
        }
        // Undo whatever was done; X was never touched, so the call keeps its path.
        if (far != null) {
            ContextId ctx = far.get(0).context();
            quietly(() -> g.release(ctx));
        }
        if (k != null) {
            TerminationId kt = k.termination();
            quietly(() -> anchor.subtract(call.anchorContext, kt));
        }
        throw new ApiException(502, failed.getMessage(), call.state.name());
    }

    // ---------------------------------------------------------------- detect (execute), complete, failure

    private Map<String, Object> onDetect(Call call) {
        long start = System.nanoTime();
        if (call.handoff != null && call.lastEvent.equals("detect")) {
            return duplicate(call);
        }
        requireState(call, "handoff detect", State.PREPARED);
        Handoff h = call.handoff;
        Leg s = call.serving;
        if (h.kind == Kind.BICAST) {
            // Seed 001 step 2: A's speech to B and B' (bicast); uplink still from B.
            GatewayClient g = gateway(s.gateway());
            wire(() -> g.modify(s.context(), List.of(triple(aSide(call, s), h.target.radio(), ONEWAY)), List.of()));
            call.state = State.EXECUTED;
        } else {
            // Seed 000 step 3 (claim 6): only now is the new anchor leg bidirectional; the old one keeps sending.
            GatewayClient anchor = gateway(call.anchor);
            wire(() -> anchor.modify(call.anchorContext, List.of(), List.of(
                new Change(h.target.anchorTerm(), StreamMode.SEND_RECEIVE, null),
                new Change(s.anchorTerm(), StreamMode.SEND_ONLY, null))));
            call.state = State.DETECTED;
        }
        call.lastEvent = "detect";
        call.record("detect", h.kind == Kind.BICAST ? "bicast (A,B') oneway" : h.target.anchorTerm().text()
            + " SendRecv, " + s.anchorTerm().text() + " SendOnly", start);
        return call.view();
    }

    private Map<String, Object> onComplete(Call call) {
        long start = System.nanoTime();
        if (call.handoff == null && call.lastEvent.equals("complete")) {
            return duplicate(call);
        }
        requireState(call, "handoff complete", call.handoff != null && call.handoff.kind == Kind.BICAST
            ? State.EXECUTED : State.DETECTED);
        Handoff h = call.handoff;
        Leg s = call.serving;
        Map<String, String> stats;
        if (h.kind == Kind.BICAST) {
            // Seed 001 step 3: (A, B') bothway, Subtract B (statistics in the reply), B' SendRecv, one transaction.
            GatewayClient g = gateway(s.gateway());
            stats = wire(() -> g.subtractAndModify(s.context(), List.of(triple(aSide(call, s), h.target.radio(),
                BOTHWAY)), s.radio(), List.of(new Change(h.target.radio(), StreamMode.SEND_RECEIVE, null))));
        } else {
            // Seed 000 step 4 (claims 2, 8): Subtract the old anchor leg; then the old far path, if any.
            GatewayClient anchor = gateway(call.anchor);
            stats = wire(() -> anchor.subtract(call.anchorContext, s.anchorTerm()));
            if (!s.local()) {
                GatewayClient old = gateway(s.gateway());
                quietly(() -> old.release(s.context()));
            }
        }
        finish(call, h);
        call.serving = h.target;
        call.lastEvent = "complete";
        call.record("complete", "subtracted " + s.anchorTerm().text() + " " + stats, start);
        return call.view();
    }

    private Map<String, Object> onFailure(Call call, String event) {
        long start = System.nanoTime();
        if (call.handoff == null && (call.lastEvent.equals(event)
            || !event.equals("release") && (call.lastEvent.equals("failure") || call.lastEvent.equals("timeout")))) {
            return duplicate(call); // a repeated failure, or one that crossed the timeout's own rollback
        }
        requireState(call, "handoff " + event, State.PREPARED, State.EXECUTED, State.DETECTED);
        Handoff h = call.handoff;
        Leg s = call.serving;
        if (h.kind == Kind.BICAST) {
            // Seed 001 step 4: B was never disturbed; cut B' off and remove it.
            GatewayClient g = gateway(s.gateway());
            wire(() -> g.subtractAndModify(s.context(), List.of(triple(aSide(call, s), h.target.radio(), ISOLATE)),
                h.target.radio(), List.of()));
        } else {
            // Seed 000 claim 3: the old anchor leg back to bidirectional first, then the new path released.
            GatewayClient anchor = gateway(call.anchor);
            wire(() -> anchor.subtractAndModify(call.anchorContext, List.of(), null,
                List.of(new Change(s.anchorTerm(), StreamMode.SEND_RECEIVE, null))));
            wire(() -> anchor.subtract(call.anchorContext, h.target.anchorTerm()));
            if (!h.target.local()) {
                GatewayClient g = gateway(h.target.gateway());
                quietly(() -> g.release(h.target.context()));
            }
        }
        finish(call, h);
        call.lastEvent = event;
        call.record(event, "reverted " + h.kind + " to " + h.target.gateway(), start);
        return call.view();
    }

    private void onTimeout(Call call, Handoff handoff) {
        if (call.handoff != handoff) {
            return;
        }
        LOG.warn("handoff timed out call={} state={} after={}ms", call.id, call.state, handoffTimeoutMs);
        try {
            onFailure(call, "timeout");
        } catch (RuntimeException e) {
            LOG.warn("handoff timeout rollback failed call={} cause={}", call.id, e.getMessage());
        }
    }

    private static void finish(Call call, Handoff h) {
        if (h.timer != null) {
            h.timer.cancel(false);
        }
        call.handoff = null;
        call.state = State.ACTIVE;
    }

    // ---------------------------------------------------------------- helpers

    /** "A" of seed 001 in the serving context: the far party's leg in the anchor, else the link to the anchor. */
    private static TerminationId aSide(Call call, Leg s) {
        return s.local() ? call.far : s.link();
    }

    private static TopologyTriple triple(TerminationId from, TerminationId to,
                                         io.hopgate.control.h248.TopologyDirection direction) {
        return new TopologyTriple(from, to, direction);
    }

    private static void requireState(Call call, String event, State... allowed) {
        for (State s : allowed) {
            if (call.state == s) {
                return;
            }
        }
        throw new ApiException(409, event + " does not fit call " + call.id + " in state " + call.state,
            call.state.name());
    }

    private static Map<String, Object> duplicate(Call call) {
        Map<String, Object> view = call.view();
        view.put("duplicate", true);
        return view;
    }

    private static <T> T wire(Supplier<T> step) {
        try {
            return step.get();
        } catch (GatewayException e) {
            throw new ApiException(502, e.getMessage(), null);
        }
    }

    private static void wire(Runnable step) {
        wire(() -> {
            step.run();
            return null;
        });
    }

    private static void quietly(Runnable cleanup) {
        try {
            cleanup.run();
        } catch (RuntimeException e) {
            LOG.warn("cleanup failed cause={}", e.getMessage());
        }
    }

    static String format(InetSocketAddress a) {
        return a == null ? null : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    @Override
    public void close() {
        events.shutdownNow();
    }
}
