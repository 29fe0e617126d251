package io.hopgate.control.h248;

/** Topology directions (H.248.1 7.1.18; OnewayExternal and OnewayBoth are v3). */
public enum TopologyDirection {
    ISOLATE("Isolate"),
    ONEWAY("Oneway"),
    BOTHWAY("Bothway"),
    ONEWAY_EXTERNAL("OnewayExternal"),
    ONEWAY_BOTH("OnewayBoth");

    private final String token;

    TopologyDirection(String token) {
        this.token = token;
    }

    /** The canonical (long) token, as written by the pretty writer. */
    public String token() {
        return token;
    }

    /** The constant for a word written in long or short form and any case; null when none. */
    public static TopologyDirection fromToken(String word) {
        String canonical = Tokens.canonical(word);
        for (TopologyDirection v : values()) {
            if (v.token.equals(canonical)) {
                return v;
            }
        }
        return null;
    }
}
