package io.hopgate.control.callserver;

import java.util.Locale;
import java.util.Set;

/**
 * What can happen to a call: the HTTP API's events, the call server's handoff timer, and release. {@link #token()}
 * is the name in {@code /calls/{id}} history and in the API path ({@code /handoff/required}).
 */
public enum Event {
    CREATE,
    /** Handoff required toward a new radio, through the serving gateway (bicast) or another one. */
    REQUIRED,
    /** Handoff detect (alias execute): the mobile is on the new radio. */
    DETECT,
    /** Handoff complete: the old path goes. */
    COMPLETE,
    /** Handoff failure (alias cancel): the new path goes, the old one stays. */
    FAILURE,
    /** The handoff timer fired before complete: handled like a failure. */
    TIMEOUT,
    RELEASE;

    /**
     * The last applied events of which this one is a repetition (a retransmitted request) or which it crossed (a
     * failure that arrives after the timer's own rollback): the call answers it as a duplicate and changes nothing.
     * A required also has to name the same target to be a repetition; {@link CallServer} checks that.
     */
    Set<Event> repeatsOf() {
        return switch (this) {
            case CREATE, RELEASE, DETECT, COMPLETE -> Set.of(this);
            case REQUIRED -> Set.of(REQUIRED, COMPLETE);
            case FAILURE, TIMEOUT -> Set.of(FAILURE, TIMEOUT);
        };
    }

    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}
