package io.hopgate.control.h248;

/** LocalControl Mode values (H.248.1 7.1.7). */
public enum LocalControlMode {
    SEND_RECEIVE("SendReceive"),
    SEND_ONLY("SendOnly"),
    RECEIVE_ONLY("ReceiveOnly"),
    INACTIVE("Inactive"),
    LOOPBACK("Loopback");

    private final String token;

    LocalControlMode(String token) {
        this.token = token;
    }

    /** The canonical (long) token, as written by the pretty writer. */
    public String token() {
        return token;
    }

    /** The constant for a word written in long or short form and any case; null when none. */
    public static LocalControlMode fromToken(String word) {
        String canonical = Tokens.canonical(word);
        for (LocalControlMode v : values()) {
            if (v.token.equals(canonical)) {
                return v;
            }
        }
        return null;
    }
}
