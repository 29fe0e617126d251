package io.hopgate.control.callserver;

/**
 * Where a call is in its handoff procedure. {@link Transitions} says which {@link Event} moves it where; the name is
 * what {@code /calls/{id}} shows as {@code state}.
 */
public enum CallState {
    /** One path to the mobile, no handoff under way. */
    ACTIVE,
    /** A new path is set up beside the old one (bicast in one gateway, or across gateways), not yet used. */
    PREPARED,
    /** Bicast in one gateway: the far party's speech goes to both radio legs; uplink still from the old one. */
    EXECUTED,
    /** Across gateways: the new anchor leg is bidirectional, the old one only sends. */
    DETECTED,
    /** Every context of the call is released; only a repeated release is answered. */
    RELEASED
}
