package io.hopgate.control.callserver;

/**
 * Which handoff procedure a handoff follows (docs/architecture.md sections 2.2 to 2.5); it selects the row of
 * {@link Transitions} for each event. {@link #kind()} is what {@code /calls/{id}} shows: a handback is a handoff
 * between gateways whose target is the anchor.
 */
public enum Procedure {
    /** Section 2.2: bicast hard handoff inside the serving gateway. */
    BICAST("BICAST"),
    /** Sections 2.3 and 2.4: to another gateway than the anchor (the first, or the next in a chain). */
    GATEWAY("GATEWAY"),
    /** Section 2.5: back to the anchor, whose radio leg T1 is added again. */
    HANDBACK("GATEWAY");

    private final String kind;

    Procedure(String kind) {
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }

    /** The procedure a required toward {@code target} starts for a call served by {@code serving}. */
    static Procedure toward(String target, String serving, String anchor) {
        return target.equals(serving) ? BICAST : target.equals(anchor) ? HANDBACK : GATEWAY;
    }
}
