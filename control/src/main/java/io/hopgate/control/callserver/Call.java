package io.hopgate.control.callserver;

import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * One call: the far party's leg (T2) in the anchor gateway's context, and the mobile's current path. Mutated only on
 * the call server's event thread.
 */
final class Call {
    enum State { ACTIVE, PREPARED, EXECUTED, DETECTED, RELEASED }

    enum Kind { BICAST, GATEWAY }

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
    }

    /** A handoff under way: its target path and the timer that fails it when completion never comes. */
    static final class Handoff {
        final Kind kind;
        final Leg target;
        final long startedNanos = System.nanoTime();
        ScheduledFuture<?> timer;

        Handoff(Kind kind, Leg target) {
            this.kind = kind;
            this.target = target;
        }
    }

    record Entry(long atMs, String event, String state, String detail, double tookMs) {
    }

    final String id;
    final String anchor;
    final ContextId anchorContext;
    final TerminationId far;
    final InetSocketAddress farRemote;
    final InetSocketAddress farLocal;
    Leg serving;
    Handoff handoff;
    State state = State.ACTIVE;
    /** The last event applied, for recognising duplicates. */
    String lastEvent = "create";
    final List<Entry> history = new ArrayList<>();
    final long createdMs = System.currentTimeMillis();

    Call(String id, String anchor, ContextId anchorContext, TerminationId far, InetSocketAddress farRemote,
         InetSocketAddress farLocal, Leg serving) {
        this.id = id;
        this.anchor = anchor;
        this.anchorContext = anchorContext;
        this.far = far;
        this.farRemote = farRemote;
        this.farLocal = farLocal;
        this.serving = serving;
    }

    void record(String event, String detail, long startNanos) {
        history.add(new Entry(System.currentTimeMillis(), event, state.name(), detail,
            (System.nanoTime() - startNanos) / 1e6));
    }

    Map<String, Object> view() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("state", state.name());
        m.put("anchor", Map.of("gateway", anchor, "context", anchorContext.text(), "far", far.text(),
            "farLocal", CallServer.format(farLocal), "farRemote", CallServer.format(farRemote)));
        m.put("serving", leg(serving));
        if (handoff != null) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("kind", handoff.kind.name());
            h.put("target", leg(handoff.target));
            m.put("handoff", h);
        }
        List<Map<String, Object>> hist = new ArrayList<>();
        for (Entry e : history) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("atMs", e.atMs() - createdMs);
            row.put("event", e.event());
            row.put("state", e.state());
            row.put("detail", e.detail());
            row.put("tookMs", Math.round(e.tookMs() * 1000) / 1000.0);
            hist.add(row);
        }
        m.put("history", hist);
        return m;
    }

    static Map<String, Object> leg(Leg leg) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gateway", leg.gateway());
        m.put("context", leg.context().text());
        m.put("radio", leg.radio().text());
        m.put("radioRemote", CallServer.format(leg.radioRemote()));
        m.put("radioLocal", CallServer.format(leg.radioLocal()));
        m.put("anchorTerm", leg.anchorTerm().text());
        if (leg.link() != null) {
            m.put("link", leg.link().text());
        }
        return m;
    }
}
