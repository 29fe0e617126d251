package io.hopgate.control.callserver;

import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * One call: the far party's leg (T2) in the anchor gateway's context, and the mobile's current path. Mutated only on
 * the call server's event thread.
 */
final class Call {
    /**
     * The mobile's path: its radio termination in {@code gateway}/{@code context}; {@code anchorTerm} is the
     * termination in the anchor context facing the mobile (the radio leg itself, or the link to {@code gateway});
     * {@code link} is the link's termination in {@code gateway} (T5, T6), null when the radio leg is in the anchor.
     */
    record Leg(String gateway, ContextId context, TerminationId radio, InetSocketAddress radioRemote,
               InetSocketAddress radioLocal, TerminationId anchorTerm, TerminationId link) {
        boolean local() {
            return link == null;
        }

        CallView.LegView view() {
            return new CallView.LegView(gateway, context.text(), radio.text(), CallServer.format(radioRemote),
                CallServer.format(radioLocal), anchorTerm.text(), link == null ? null : link.text());
        }
    }

    /** A handoff under way: its procedure, its target path and the timer that fails it when completion never comes. */
    static final class Handoff {
        final Procedure procedure;
        final Leg target;
        ScheduledFuture<?> timer;
        /** When detect moved the uplink (System.nanoTime), or 0: the old path is retired UPLINK_OVERLAP_MS later. */
        long detectedNanos;
        /** The same instant on the wall clock (ms), or 0: what {@link CallRecord} keeps across a restart. */
        long detectedAtMs;
        /** When {@code timer} fires (wall clock ms), or 0 while none is set: a restored handoff keeps its deadline. */
        long deadlineMs;

        Handoff(Procedure procedure, Leg target) {
            this.procedure = procedure;
            this.target = target;
        }

        /** Detect (or execute) moved the uplink now. */
        void detectedNow() {
            detectedNanos = System.nanoTime();
            detectedAtMs = System.currentTimeMillis();
        }
    }

    /**
     * A gateway action a step put off (docs/architecture.md section 2.8: the path a handoff leaves stays heard for
     * {@link HandoffSteps#UPLINK_OVERLAP_MS}), kept with the call so that a restarted call server still does it.
     *
     * @param leg   the path it acts on (the old serving path, or the abandoned target)
     * @param other the new serving leg a bicast retirement arms, else null
     * @param atMs  when it is due (wall clock)
     */
    record Deferred(Kind kind, Leg leg, Leg other, long atMs) {
        enum Kind {
            /** After detect: the old anchor leg X SendOnly, if the call is still DETECTED on it. */
            OLD_UPLINK_SEND_ONLY,
            /** After a bicast complete: (A, B') bothway, Subtract B, B' SendRecv. */
            RETIRE_BICAST_LEG,
            /** After a gateway complete: Subtract X in the anchor, release the old serving gateway's context. */
            RETIRE_OLD_PATH,
            /** After a revert from DETECTED: Subtract K in the anchor, release the target gateway's context. */
            RELEASE_NEW_PATH
        }
    }

    /** One applied event, as {@code /calls/{id}} history shows it (and {@link CallRecord} keeps it). */
    record Entry(long atMs, Event event, CallState state, Step step, String detail, double tookMs) {
    }

    final String id;
    final String anchor;
    final ContextId anchorContext;
    final TerminationId far;
    final InetSocketAddress farRemote;
    final InetSocketAddress farLocal;
    Leg serving;
    Handoff handoff;
    CallState state = CallState.ACTIVE;
    /** The last event applied, for recognising repeated ones ({@link Event#repeatsOf()}). */
    Event lastEvent = Event.CREATE;
    /** Gateway actions put off and not yet done, oldest first. */
    final List<Deferred> deferred = new ArrayList<>();
    private final List<Entry> history = new ArrayList<>();
    final long createdMs;

    Call(String id, String anchor, ContextId anchorContext, TerminationId far, InetSocketAddress farRemote,
         InetSocketAddress farLocal, Leg serving) {
        this(id, anchor, anchorContext, far, farRemote, farLocal, serving, System.currentTimeMillis());
    }

    /** A call as it was created at {@code createdMs} (wall clock): a new one, or one restored by {@link CallRecord}. */
    Call(String id, String anchor, ContextId anchorContext, TerminationId far, InetSocketAddress farRemote,
         InetSocketAddress farLocal, Leg serving, long createdMs) {
        this.createdMs = createdMs;
        this.id = id;
        this.anchor = anchor;
        this.anchorContext = anchorContext;
        this.far = far;
        this.farRemote = farRemote;
        this.farLocal = farLocal;
        this.serving = serving;
    }

    /** The procedure of the handoff under way, or null. */
    Procedure procedure() {
        return handoff == null ? null : handoff.procedure;
    }

    void record(Event event, Step step, String detail, long startNanos) {
        history.add(new Entry(System.currentTimeMillis(), event, state, step, detail,
            (System.nanoTime() - startNanos) / 1e6));
    }

    /** The applied events, oldest first. */
    List<Entry> history() {
        return List.copyOf(history);
    }

    /** Appends entries kept from before a restart. */
    void restoreHistory(List<Entry> entries) {
        history.addAll(entries);
    }

    CallView view() {
        CallView.Anchor a = new CallView.Anchor(anchor, anchorContext.text(), far.text(), CallServer.format(farLocal),
            CallServer.format(farRemote));
        CallView.HandoffView h = handoff == null ? null
            : new CallView.HandoffView(handoff.procedure.kind(), handoff.target.view());
        List<CallView.HistoryRow> rows = new ArrayList<>(history.size());
        for (Entry e : history) {
            rows.add(new CallView.HistoryRow(e.atMs() - createdMs, e.event().token(), e.state(), e.step(), e.detail(),
                Math.round(e.tookMs() * 1000) / 1000.0));
        }
        return new CallView(id, state, a, serving.view(), h, List.copyOf(rows), null);
    }
}
