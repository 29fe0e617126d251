package io.hopgate.control.callserver;

import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Call} as the call server keeps it in {@code state.redis} (docs/ha.md, "Call server"), serialised by Jackson
 * from these fields: everything a restarted call server needs to complete or roll back the call's handoff on the same
 * gateways (the anchor context and far leg, the serving path, the handoff under way with its target path, procedure,
 * deadline and when its uplink moved), its state and last event (so a repeated event stays harmless), its history, and
 * the gateway actions its last step put off (the old path retired {@link HandoffSteps#UPLINK_OVERLAP_MS} later).
 * Contexts are H.248 ContextIDs, terminations their H.248 text, addresses {@code ip:port}.
 *
 * @param version      {@link #VERSION}: a record of another version is not restored
 * @param createdMs    when the call was created (wall clock)
 * @param handoff      the handoff under way, or null
 * @param deferred     gateway actions put off and not yet done ({@link Call.Deferred})
 */
public record CallRecord(int version, String id, String anchor, long anchorContext, String far, String farRemote,
                         String farLocal, LegRecord serving, HandoffRecord handoff, CallState state, Event lastEvent,
                         long createdMs, List<HistoryRecord> history, List<DeferredRecord> deferred) {

    /** The layout of this record; bump it when a field changes meaning. */
    public static final int VERSION = 1;

    /** A path to the mobile ({@link Call.Leg}); {@code link} is null when the radio leg is in the anchor. */
    public record LegRecord(String gateway, long context, String radio, String radioRemote, String radioLocal,
                            String anchorTerm, String link) {
    }

    /**
     * A handoff under way ({@link Call.Handoff}).
     *
     * @param deadlineMs   when its timer rolls it back (wall clock), 0 when none is set
     * @param detectedAtMs when detect moved the uplink (wall clock), 0 before detect
     */
    public record HandoffRecord(Procedure procedure, LegRecord target, long deadlineMs, long detectedAtMs) {
    }

    /** A gateway action put off ({@link Call.Deferred}); {@code other} is null but for a bicast retirement. */
    public record DeferredRecord(Call.Deferred.Kind kind, LegRecord leg, LegRecord other, long atMs) {
    }

    /** One row of the call's history ({@link Call.Entry}). */
    public record HistoryRecord(long atMs, Event event, CallState state, Step step, String detail, double tookMs) {
    }

    /** A sample of every field, so that the store builds its JSON mapping at start-up. */
    static CallRecord sample() {
        LegRecord leg = new LegRecord("G", 1, "rtp/1", "127.0.0.1:1", "127.0.0.1:2", "rtp/1", "rtp/2");
        return new CallRecord(VERSION, "c0", "G", 1, "rtp/2", "127.0.0.1:3", "127.0.0.1:4", leg,
            new HandoffRecord(Procedure.GATEWAY, leg, 1, 1), CallState.PREPARED, Event.REQUIRED, 1,
            List.of(new HistoryRecord(1, Event.CREATE, CallState.ACTIVE, Step.CREATE, "", 0.5)),
            List.of(new DeferredRecord(Call.Deferred.Kind.RETIRE_BICAST_LEG, leg, leg, 1)));
    }

    /** The record of {@code call} as it is now. */
    static CallRecord of(Call call) {
        Call.Handoff h = call.handoff;
        HandoffRecord handoff = h == null ? null
            : new HandoffRecord(h.procedure, leg(h.target), h.deadlineMs, h.detectedAtMs);
        List<HistoryRecord> rows = new ArrayList<>();
        for (Call.Entry e : call.history()) {
            rows.add(new HistoryRecord(e.atMs(), e.event(), e.state(), e.step(), e.detail(), e.tookMs()));
        }
        List<DeferredRecord> deferred = new ArrayList<>();
        for (Call.Deferred d : call.deferred) {
            deferred.add(new DeferredRecord(d.kind(), leg(d.leg()), d.other() == null ? null : leg(d.other()),
                d.atMs()));
        }
        return new CallRecord(VERSION, call.id, call.anchor, call.anchorContext.value(), call.far.text(),
            CallServer.format(call.farRemote), CallServer.format(call.farLocal), leg(call.serving), handoff,
            call.state, call.lastEvent, call.createdMs, List.copyOf(rows), List.copyOf(deferred));
    }

    private static LegRecord leg(Call.Leg l) {
        return new LegRecord(l.gateway(), l.context().value(), l.radio().text(), CallServer.format(l.radioRemote()),
            CallServer.format(l.radioLocal()), l.anchorTerm().text(), l.link() == null ? null : l.link().text());
    }

    /**
     * The call this record describes, its handoff's timer not set ({@link CallServer#restore} sets it from
     * {@code deadlineMs}).
     *
     * @throws IllegalArgumentException when a field cannot be read back
     */
    Call toCall() {
        if (version != VERSION) {
            throw new IllegalArgumentException("record version " + version + ", this call server reads " + VERSION);
        }
        if (id == null || anchor == null || serving == null || state == null || lastEvent == null) {
            throw new IllegalArgumentException("id, anchor, serving, state and lastEvent are required");
        }
        Call call = new Call(id, anchor, ContextId.of(anchorContext), TerminationId.of(far), address(farRemote),
            address(farLocal), leg(serving), createdMs);
        call.state = state;
        call.lastEvent = lastEvent;
        if (handoff != null) {
            Call.Handoff h = new Call.Handoff(handoff.procedure(), leg(handoff.target()));
            h.deadlineMs = handoff.deadlineMs();
            h.detectedAtMs = handoff.detectedAtMs();
            if (h.detectedAtMs != 0) { // the same instant on this run's nanoTime scale, for the uplink overlap
                long agoMs = Math.max(0, System.currentTimeMillis() - h.detectedAtMs);
                h.detectedNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(agoMs);
            }
            call.handoff = h;
        }
        List<Call.Entry> rows = new ArrayList<>();
        for (HistoryRecord r : history == null ? List.<HistoryRecord>of() : history) {
            rows.add(new Call.Entry(r.atMs(), r.event(), r.state(), r.step(), r.detail(), r.tookMs()));
        }
        call.restoreHistory(rows);
        for (DeferredRecord d : deferred == null ? List.<DeferredRecord>of() : deferred) {
            if (d.kind() == null) {
                throw new IllegalArgumentException("a deferred action needs its kind");
            }
            call.deferred.add(new Call.Deferred(d.kind(), leg(d.leg()), d.other() == null ? null : leg(d.other()),
                d.atMs()));
        }
        return call;
    }

    private static Call.Leg leg(LegRecord l) {
        if (l == null || l.gateway() == null || l.radio() == null || l.anchorTerm() == null) {
            throw new IllegalArgumentException("a leg needs gateway, radio and anchorTerm");
        }
        return new Call.Leg(l.gateway(), ContextId.of(l.context()), TerminationId.of(l.radio()),
            address(l.radioRemote()), address(l.radioLocal()), TerminationId.of(l.anchorTerm()),
            l.link() == null ? null : TerminationId.of(l.link()));
    }

    /** An address as {@link CallServer#format} wrote it ({@code ip:port}, IPv6 without brackets), or null. */
    private static InetSocketAddress address(String text) {
        if (text == null) {
            return null;
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not ip:port: " + text);
        }
        return new InetSocketAddress(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    }
}
