package io.hopgate.control.callserver;

import io.hopgate.control.h248.LocalControlMode;
import static io.hopgate.control.h248.TopologyDirection.BOTHWAY;
import static io.hopgate.control.h248.TopologyDirection.ISOLATE;

import io.hopgate.control.callserver.Call.Deferred;
import io.hopgate.control.callserver.Call.Handoff;
import io.hopgate.control.callserver.Call.Leg;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.h248.TopologyDirection;
import io.hopgate.control.h248.TopologyTriple;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.control.mgc.GatewayClient.Added;
import io.hopgate.control.mgc.GatewayClient.Change;
import io.hopgate.control.mgc.GatewayException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The H.248 side of each {@link Step} (docs/architecture.md section 2), run on the call server's event thread. A step
 * either completes or throws the {@link GatewayException} of the transaction that failed, after undoing what it had
 * done (so the call keeps its previous path). Which step runs when, and the state it leaves, is {@link Transitions}'
 * business; a step only changes the call's path ({@code handoff}, {@code serving}).
 */
final class HandoffSteps {
    private static final Logger LOG = LoggerFactory.getLogger(HandoffSteps.class);

    /** What a required asks for: the target gateway (already resolved, never null) and the new radio's address. */
    record Target(String gateway, InetSocketAddress radio) {
    }

    /**
     * How long the path a handoff retires stays heard (docs/architecture.md section 2.8): the old anchor leg after
     * detect, the new path after a revert. The mobile moves once it is told, and what it sent on the path it left
     * meanwhile must still arrive (several packet intervals; the far party's egress forwards each packet once).
     */
    static final long UPLINK_OVERLAP_MS = 200;

    private final Map<String, GatewayClient> gateways;
    /** The call server's event thread: the delayed second half of a lossless uplink switch runs there too. */
    private final ScheduledExecutorService events;
    /** Told when a deferred action has run and left the call (so its replica drops it). */
    private final Consumer<Call> changed;

    HandoffSteps(Map<String, GatewayClient> gateways, ScheduledExecutorService events, Consumer<Call> changed) {
        this.gateways = gateways;
        this.events = events;
        this.changed = changed;
    }

    /** Runs {@code step} on {@code call}; returns what it did, for the call's history. */
    String run(Step step, Call call, Target target) {
        return switch (step) {
            case CREATE -> throw new IllegalArgumentException("create runs before the call exists: use create()");
            case PREPARE_BICAST -> prepared(call, prepareBicast(call, target.radio()));
            case PREPARE_GATEWAY -> prepared(call, prepareGateway(call, target.gateway(), target.radio()));
            case PREPARE_HANDBACK -> prepared(call, prepareHandback(call, target.radio()));
            case EXECUTE_BICAST -> executeBicast(call);
            case DETECT_GATEWAY -> detectGateway(call);
            case COMPLETE_BICAST -> completeBicast(call);
            case COMPLETE_GATEWAY -> completeGateway(call);
            case REVERT_BICAST -> revertBicast(call);
            case REVERT_GATEWAY -> revertGateway(call);
            case RELEASE -> release(call);
        };
    }

    // ---------------------------------------------------------------- create and release

    /** Step CREATE: T2 (far) and T1 (radio) in a new context of {@code gatewayName}, both SendRecv. */
    Call create(String id, String gatewayName, InetSocketAddress far, InetSocketAddress radio) {
        GatewayClient g = gateway(gatewayName);
        List<Added> added = g.addAll(ContextId.CHOOSE, Arrays.asList(far, radio));
        ContextId ctx = added.get(0).context();
        TerminationId t2 = added.get(0).termination();
        TerminationId t1 = added.get(1).termination();
        try {
            g.modify(ctx, List.of(), List.of(new Change(t2, LocalControlMode.SEND_RECEIVE, null),
                new Change(t1, LocalControlMode.SEND_RECEIVE, null)));
        } catch (GatewayException e) {
            quietly(() -> g.release(ctx));
            throw e;
        }
        Leg leg = new Leg(gatewayName, ctx, t1, radio, added.get(1).local(), t1, null);
        return new Call(id, gatewayName, ctx, t2, far, added.get(0).local(), leg);
    }

    private String release(Call call) {
        GatewayClient anchor = gateway(call.anchor);
        quietly(() -> anchor.release(call.anchorContext));
        if (!call.serving.local()) {
            GatewayClient far = gateway(call.serving.gateway());
            quietly(() -> far.release(call.serving.context()));
        }
        return "";
    }

    // ---------------------------------------------------------------- required (prepare)

    private static String prepared(Call call, Handoff handoff) {
        call.handoff = handoff;
        Leg t = handoff.target;
        return handoff.procedure.kind() + " to " + t.gateway() + " radio=" + t.radio().text()
            + (t.local() ? "" : " link=" + t.anchorTerm().text() + "<->" + t.link().text());
    }

    /** Section 2.2 step 1: Add B' Inactive, then (A, B', isolate), (B, B', isolate), B' SendOnly. */
    private Handoff prepareBicast(Call call, InetSocketAddress radio) {
        Leg s = call.serving;
        GatewayClient g = gateway(s.gateway());
        Added b2 = g.add(s.context(), radio);
        TerminationId a = aSide(call, s);
        try {
            g.modify(s.context(), List.of(triple(a, b2.termination(), ISOLATE), triple(s.radio(), b2.termination(),
                ISOLATE)), List.of(new Change(b2.termination(), LocalControlMode.SEND_ONLY, null)));
        } catch (GatewayException e) {
            quietly(() -> g.subtract(s.context(), b2.termination()));
            throw e;
        }
        TerminationId anchorTerm = s.local() ? b2.termination() : s.anchorTerm();
        return new Handoff(Procedure.BICAST, new Leg(s.gateway(), s.context(), b2.termination(), radio, b2.local(),
            anchorTerm, s.link()));
    }

    /** Section 2.5: T1 again (it no longer exists once the call left the anchor), armed like a link leg. */
    private Handoff prepareHandback(Call call, InetSocketAddress radio) {
        GatewayClient anchor = gateway(call.anchor);
        TerminationId x = call.serving.anchorTerm();
        Added t1 = anchor.add(call.anchorContext, radio);
        try {
            anchor.modify(call.anchorContext, List.of(triple(x, t1.termination(), ISOLATE)),
                List.of(new Change(t1.termination(), LocalControlMode.SEND_ONLY, null)));
        } catch (GatewayException e) {
            quietly(() -> anchor.subtract(call.anchorContext, t1.termination()));
            throw e;
        }
        return new Handoff(Procedure.HANDBACK, new Leg(call.anchor, call.anchorContext, t1.termination(), radio,
            t1.local(), t1.termination(), null));
    }

    /** Sections 2.3 steps 1-2 and 2.4: a new path through {@code target}, bicast from the anchor. */
    private Handoff prepareGateway(Call call, String target, InetSocketAddress radio) {
        GatewayClient anchor = gateway(call.anchor);
        TerminationId x = call.serving.anchorTerm();
        GatewayClient g = gateway(target);
        // Two rounds of two transactions in parallel, so the new path is up after two round trips, not four.
        // Round 1 (Add): in the target the radio leg (T4/T7) and the link (T5/T6) in a new context; in the anchor
        // the link K (T3); all Inactive. Round 2 (arm): K isolated from the current mobile leg X, Remote = the
        // target's link, SendOnly (G1 to G2 only); the target's link Remote = K, both target legs SendRecv.
        CompletableFuture<TransactionReply> farAdd = g.addAllAsync(ContextId.CHOOSE, Arrays.asList(radio, null));
        CompletableFuture<TransactionReply> anchorAdd = anchor.addAllAsync(call.anchorContext,
            Collections.singletonList(null));
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
                List.of(triple(x, kt, ISOLATE)), List.of(new Change(kt, LocalControlMode.SEND_ONLY, link.local())));
            CompletableFuture<TransactionReply> armFar = g.modifyAsync(radioLeg.context(), List.of(), List.of(
                new Change(link.termination(), LocalControlMode.SEND_RECEIVE, k.local()),
                new Change(radioLeg.termination(), LocalControlMode.SEND_RECEIVE, null)));
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
                return new Handoff(Procedure.GATEWAY, new Leg(target, radioLeg.context(), radioLeg.termination(),
                    radio, radioLeg.local(), kt, link.termination()));
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
        throw failed;
    }

    // ---------------------------------------------------------------- detect (execute), complete, revert

    /**
     * Section 2.2 step 2: A's speech to B and B' (bicast). Lossless uplink switch (section 2.8): B' is heard from
     * here on too, B until complete; A's egress forwards each packet once.
     */
    private String executeBicast(Call call) {
        Leg s = call.serving;
        Leg t = call.handoff.target;
        call.handoff.detectedNow();
        gateway(s.gateway()).modify(s.context(), List.of(triple(aSide(call, s), t.radio(), BOTHWAY)),
            List.of(new Change(t.radio(), LocalControlMode.SEND_RECEIVE, null)));
        return "bicast (A,B') bothway, B' SendRecv";
    }

    /**
     * Section 2.3 step 3 (seed 000 claim 6): only now is the new anchor leg bidirectional. The old one keeps sending
     * and, for a lossless uplink switch (section 2.8), stays heard for UPLINK_OVERLAP_MS (or until complete
     * subtracts it): what the mobile sent on the old path just before it moved still arrives, once.
     */
    private String detectGateway(Call call) {
        Leg s = call.serving;
        Handoff h = call.handoff;
        GatewayClient anchor = gateway(call.anchor);
        anchor.modify(call.anchorContext, List.of(), List.of(
            new Change(h.target.anchorTerm(), LocalControlMode.SEND_RECEIVE, null)));
        TerminationId old = s.anchorTerm();
        h.detectedNow();
        defer(call, new Deferred(Deferred.Kind.OLD_UPLINK_SEND_ONLY, s, null, h.detectedAtMs + UPLINK_OVERLAP_MS));
        return h.target.anchorTerm().text() + " SendRecv, " + old.text() + " heard " + UPLINK_OVERLAP_MS + " ms more";
    }

    /**
     * Section 2.2 step 3: (A, B') bothway, Subtract B (statistics in the reply), B' SendRecv, one transaction. The
     * first and last are in effect since execute; B goes, as the old path of a gateway handoff does, not before
     * UPLINK_OVERLAP_MS after execute, so what the mobile sent from B just before it moved still arrives (2.8).
     */
    private String completeBicast(Call call) {
        Leg s = call.serving;
        Handoff h = call.handoff;
        Leg t = h.target;
        long leftMs = overlapLeftMs(h);
        if (leftMs > 0) {
            call.serving = t;
            defer(call, new Deferred(Deferred.Kind.RETIRE_BICAST_LEG, s, t, System.currentTimeMillis() + leftMs));
            return s.radio().text() + " subtracted " + leftMs + " ms later (uplink still in flight)";
        }
        Map<String, String> stats = retireBicastLeg(call, s, t); // a gateway error leaves the call where it was
        call.serving = t;
        return "subtracted " + s.anchorTerm().text() + " " + stats;
    }

    private Map<String, String> retireBicastLeg(Call call, Leg old, Leg now) {
        return gateway(old.gateway()).subtractAndModify(old.context(),
            List.of(triple(aSide(call, old), now.radio(), BOTHWAY)), old.radio(),
            List.of(new Change(now.radio(), LocalControlMode.SEND_RECEIVE, null)));
    }

    /** What is left of UPLINK_OVERLAP_MS since the uplink moved (execute or detect), 0 when it has passed. */
    private static long overlapLeftMs(Handoff h) {
        return h.detectedNanos == 0 ? 0
            : Math.max(0, UPLINK_OVERLAP_MS - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - h.detectedNanos));
    }

    /**
     * Section 2.3 step 4: Subtract the old anchor leg and release the old far path, if any: different gateways, so
     * in parallel (one round trip, not two). What the mobile sent on the old path just before detect may still be on
     * its way through the old gateway (section 2.8): within UPLINK_OVERLAP_MS of detect the old path is retired only
     * once that much time has passed; the call is on the new path at once either way.
     */
    private String completeGateway(Call call) {
        Leg s = call.serving;
        Handoff h = call.handoff;
        long leftMs = overlapLeftMs(h);
        if (leftMs > 0) {
            call.serving = h.target;
            defer(call, new Deferred(Deferred.Kind.RETIRE_OLD_PATH, s, null, System.currentTimeMillis() + leftMs));
            return s.anchorTerm().text() + " subtracted " + leftMs + " ms later (uplink still in flight)";
        }
        Map<String, String> stats = retireOldPath(call, s); // a gateway error leaves the call where it was
        call.serving = h.target;
        return "subtracted " + s.anchorTerm().text() + " " + stats;
    }

    private Map<String, String> retireOldPath(Call call, Leg old) {
        CompletableFuture<Void> oldReleased = old.local() ? CompletableFuture.completedFuture(null)
            : gateway(old.gateway()).releaseAsync(old.context());
        try {
            return gateway(call.anchor).subtract(call.anchorContext, old.anchorTerm());
        } finally {
            quietly(oldReleased::join);
        }
    }

    /** Section 2.2 step 4: B was never disturbed; cut B' off and remove it. */
    private String revertBicast(Call call) {
        Leg s = call.serving;
        Handoff h = call.handoff;
        gateway(s.gateway()).subtractAndModify(s.context(), List.of(triple(aSide(call, s), h.target.radio(),
            ISOLATE)), h.target.radio(), List.of());
        return "reverted " + h.procedure.kind() + " to " + h.target.gateway();
    }

    /**
     * Section 2.3 step 4 (failure, seed 000 claim 3): the old anchor leg back to bidirectional first, then the new
     * path released. After detect the mobile may already transmit on the new path: it stays heard for
     * UPLINK_OVERLAP_MS, so the packets in flight there while the mobile goes back still arrive (section 2.8).
     */
    private String revertGateway(Call call) {
        Leg s = call.serving;
        Handoff h = call.handoff;
        GatewayClient anchor = gateway(call.anchor);
        anchor.subtractAndModify(call.anchorContext, List.of(), null,
            List.of(new Change(s.anchorTerm(), LocalControlMode.SEND_RECEIVE, null)));
        if (call.state == CallState.DETECTED) { // the state before this revert: the mobile may be on the new path
            defer(call, new Deferred(Deferred.Kind.RELEASE_NEW_PATH, h.target, null,
                System.currentTimeMillis() + UPLINK_OVERLAP_MS));
        } else {
            releaseNewPath(call, h.target);
        }
        return "reverted " + h.procedure.kind() + " to " + h.target.gateway();
    }

    private void releaseNewPath(Call call, Leg target) {
        CompletableFuture<Void> targetReleased = target.local() ? CompletableFuture.completedFuture(null)
            : gateway(target.gateway()).releaseAsync(target.context()); // two gateways: in parallel
        quietly(() -> gateway(call.anchor).subtract(call.anchorContext, target.anchorTerm()));
        quietly(targetReleased::join);
    }

    // ---------------------------------------------------------------- deferred actions

    /** Keeps {@code action} with the call and runs it when due. */
    private void defer(Call call, Deferred action) {
        call.deferred.add(action);
        schedule(call, action);
    }

    /**
     * Runs {@code action} of {@code call} when it is due (at once when that has passed: a call restored after a
     * restart), once, then drops it from the call and reports the change.
     */
    void schedule(Call call, Deferred action) {
        long inMs = Math.max(0, action.atMs() - System.currentTimeMillis());
        events.schedule(() -> {
            if (call.deferred.remove(action)) {
                quietly(() -> perform(call, action));
                changed.accept(call);
            }
        }, inMs, TimeUnit.MILLISECONDS);
    }

    private void perform(Call call, Deferred action) {
        Leg leg = action.leg();
        switch (action.kind()) {
            case OLD_UPLINK_SEND_ONLY -> {
                if (call.state == CallState.DETECTED && call.serving.anchorTerm().equals(leg.anchorTerm())) {
                    gateway(call.anchor).modify(call.anchorContext, List.of(),
                        List.of(new Change(leg.anchorTerm(), LocalControlMode.SEND_ONLY, null)));
                } // else completed or reverted meanwhile
            }
            case RETIRE_BICAST_LEG -> retireBicastLeg(call, leg, action.other());
            case RETIRE_OLD_PATH -> retireOldPath(call, leg);
            case RELEASE_NEW_PATH -> releaseNewPath(call, leg);
            default -> throw new IllegalStateException("unknown deferred action " + action.kind());
        }
    }

    // ---------------------------------------------------------------- helpers

    private GatewayClient gateway(String name) {
        GatewayClient g = gateways.get(name);
        if (g == null) {
            // names are checked against the configured gateways when an event arrives
            throw new IllegalStateException("gateway '" + name + "' is not configured: " + gateways.keySet());
        }
        return g;
    }

    /** "A" of section 2.2 in the serving context: the far party's leg in the anchor, else the link to the anchor. */
    private static TerminationId aSide(Call call, Leg s) {
        return s.local() ? call.far : s.link();
    }

    private static TopologyTriple triple(TerminationId from, TerminationId to, TopologyDirection direction) {
        return new TopologyTriple(from, to, direction);
    }

    static void quietly(Runnable cleanup) {
        try {
            cleanup.run();
        } catch (RuntimeException e) {
            LOG.warn("cleanup failed cause={}", e.getMessage());
        }
    }
}
