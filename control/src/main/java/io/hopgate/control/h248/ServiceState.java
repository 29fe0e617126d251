package io.hopgate.control.h248;

/** TerminationState ServiceStates values (H.248.1 7.1.5). */
public enum ServiceState {
    TEST("Test"),
    OUT_OF_SERVICE("OutOfService"),
    IN_SERVICE("InService");

    private final String token;

    ServiceState(String token) {
        this.token = token;
    }

    /** The canonical (long) token, as written by the pretty writer. */
    public String token() {
        return token;
    }

    /** The constant for a word written in long or short form and any case; null when none. */
    public static ServiceState fromToken(String word) {
        String canonical = Tokens.canonical(word);
        for (ServiceState v : values()) {
            if (v.token.equals(canonical)) {
                return v;
            }
        }
        return null;
    }
}
