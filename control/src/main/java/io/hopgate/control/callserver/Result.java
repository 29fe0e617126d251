package io.hopgate.control.callserver;

/**
 * What the call server made of an event. The domain says what happened; {@link CallServerApi} alone decides what
 * HTTP status that is.
 */
public sealed interface Result {
    /** The event ran its transition (or the call was created); {@code view} is the call after it. */
    record Applied(CallView view) implements Result {
    }

    /** The event repeats the last one applied (or crossed it): nothing changed. */
    record Duplicate(CallView view) implements Result {
    }

    /** No call has this id. */
    record NoSuchCall(String id) implements Result {
    }

    /** The event names something that does not exist, e.g. a gateway that is not configured. */
    record Invalid(String message) implements Result {
    }

    /** The event has no row in {@link Transitions} for the call's state (or the id is taken): nothing changed. */
    record Refused(String message, CallState state) implements Result {
    }

    /**
     * A gateway failed a step (its H.248 error code and text, or no reply); what the step had done is undone, the
     * call keeps its previous state and path. {@code state} is null when there is no call (a failed create).
     */
    record GatewayFailed(String message, CallState state) implements Result {
    }
}
