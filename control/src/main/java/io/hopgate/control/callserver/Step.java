package io.hopgate.control.callserver;

/**
 * One step of a procedure: the H.248 transactions the call server sends for it (names as in docs/architecture.md
 * section 2: A = far party or link in the serving context, B / B' = old / new radio leg, X = the anchor leg toward
 * the mobile now, K = the new one, T1 = the anchor's own radio leg). {@link HandoffSteps} runs them.
 */
public enum Step {
    CREATE("anchor: Add T2 (far) and T1 (radio) Inactive in a new context; Modify T2, T1 SendRecv"),
    PREPARE_BICAST("serving: Add B' Inactive; then (A, B', isolate), (B, B', isolate), B' SendOnly"),
    PREPARE_GATEWAY("in parallel: target Add radio leg and link Inactive in a new context, anchor Add K Inactive;"
        + " then in parallel: anchor (X, K, isolate), K SendOnly with Remote = link; target link Remote = K,"
        + " radio leg and link SendRecv"),
    PREPARE_HANDBACK("anchor: Add T1 Inactive; then (X, T1, isolate), T1 SendOnly"),
    EXECUTE_BICAST("serving: (A, B', bothway), B' SendRecv: bicast to B and B', uplink heard from both"),
    DETECT_GATEWAY("anchor: K SendRecv; X SendOnly 200 ms later (uplink heard from both meanwhile)"),
    COMPLETE_BICAST("serving: (A, B', bothway), Subtract B, B' SendRecv, in one transaction, not before 200 ms after"
        + " execute"),
    COMPLETE_GATEWAY("anchor: Subtract X; in parallel the old serving gateway, if not the anchor: release its context;"
        + " not before 200 ms after detect"),
    REVERT_BICAST("serving: (A, B', isolate), Subtract B', in one transaction; B was never disturbed"),
    REVERT_GATEWAY("anchor: X SendRecv; then (200 ms later after detect) in parallel: anchor Subtract K, target"
        + " (if not the anchor) release its context"),
    RELEASE("anchor: Subtract * of the call's context; serving gateway, if not the anchor: Subtract * of its context");

    private final String h248;

    Step(String h248) {
        this.h248 = h248;
    }

    /** The step's H.248 transactions, in order, for a reader checking them against the procedures. */
    public String h248() {
        return h248;
    }
}
