package io.hopgate.control.h248;

/** ServiceChange methods (H.248.1 7.2.8). */
public enum ServiceChangeMethod {
    FAILOVER("Failover"),
    FORCED("Forced"),
    GRACEFUL("Graceful"),
    RESTART("Restart"),
    DISCONNECTED("Disconnected"),
    HAND_OFF("HandOff");

    private final String token;

    ServiceChangeMethod(String token) {
        this.token = token;
    }

    /** The canonical (long) token, as written by the pretty writer. */
    public String token() {
        return token;
    }

    /** The constant for a word written in long or short form and any case; null when none. */
    public static ServiceChangeMethod fromToken(String word) {
        String canonical = Tokens.canonical(word);
        for (ServiceChangeMethod v : values()) {
            if (v.token.equals(canonical)) {
                return v;
            }
        }
        return null;
    }
}
