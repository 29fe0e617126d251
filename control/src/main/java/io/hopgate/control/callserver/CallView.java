package io.hopgate.control.callserver;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A call as {@code GET /calls/{id}} shows it, serialised by Jackson. Addresses are {@code ip:port}, terminations
 * and contexts their H.248 text.
 *
 * @param handoff   the handoff under way, absent when none
 * @param duplicate true when this answers a repeated event, absent otherwise
 */
@JsonPropertyOrder({"id", "state", "anchor", "serving", "handoff", "history", "duplicate"})
public record CallView(String id, CallState state, Anchor anchor, LegView serving,
                       @JsonInclude(JsonInclude.Include.NON_NULL) HandoffView handoff, List<HistoryRow> history,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean duplicate) {

    /** The anchor gateway's context and the far party's leg (T2) in it, for the whole call. */
    @JsonPropertyOrder({"gateway", "context", "far", "farLocal", "farRemote"})
    public record Anchor(String gateway, String context, String far, String farLocal, String farRemote) {
    }

    /** A path to the mobile; {@code link} (the link's termination in a gateway other than the anchor) may be absent. */
    @JsonPropertyOrder({"gateway", "context", "radio", "radioRemote", "radioLocal", "anchorTerm", "link"})
    public record LegView(String gateway, String context, String radio, String radioRemote, String radioLocal,
                          String anchorTerm, @JsonInclude(JsonInclude.Include.NON_NULL) String link) {
    }

    /** {@code kind} is BICAST or GATEWAY (a handback is a GATEWAY handoff to the anchor). */
    public record HandoffView(String kind, LegView target) {
    }

    /**
     * One applied event: ms since the call was created, the event, the state it left, the step of
     * {@link Transitions} it ran, what the step did, and how long its H.248 transactions took.
     */
    @JsonPropertyOrder({"atMs", "event", "state", "step", "detail", "tookMs"})
    public record HistoryRow(long atMs, String event, CallState state, Step step, String detail, double tookMs) {
    }

    /** The same view answering a repeated event. */
    CallView asDuplicate() {
        return new CallView(id, state, anchor, serving, handoff, history, Boolean.TRUE);
    }
}
