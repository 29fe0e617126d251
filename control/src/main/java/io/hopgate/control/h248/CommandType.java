package io.hopgate.control.h248;

/** The eight H.248 commands (H.248.1 7.2). */
public enum CommandType {
    ADD("Add"),
    MODIFY("Modify"),
    SUBTRACT("Subtract"),
    MOVE("Move"),
    AUDIT_VALUE("AuditValue"),
    AUDIT_CAPABILITY("AuditCapability"),
    NOTIFY("Notify"),
    SERVICE_CHANGE("ServiceChange");

    private final String token;

    CommandType(String token) {
        this.token = token;
    }

    /** The canonical (long) token, as written by the pretty writer. */
    public String token() {
        return token;
    }

    /** The constant for a word written in long or short form and any case; null when none. */
    public static CommandType fromToken(String word) {
        String canonical = Tokens.canonical(word);
        for (CommandType v : values()) {
            if (v.token.equals(canonical)) {
                return v;
            }
        }
        return null;
    }
}
