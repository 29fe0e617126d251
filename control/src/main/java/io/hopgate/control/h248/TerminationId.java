package io.hopgate.control.h248;

import java.util.Objects;

/**
 * A TerminationID as written, e.g. {@code rtp/17}, {@code rtp/*}, {@code $}, {@code ROOT} (any case
 * on the wire, always {@code ROOT} here). {@code $} asks the MG to choose, {@code *} matches all.
 */
public record TerminationId(String text) {
    public static final TerminationId ROOT = new TerminationId("ROOT");
    public static final TerminationId CHOOSE = new TerminationId("$");
    public static final TerminationId ALL = new TerminationId("*");

    public TerminationId {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty termination id");
        }
        if (text.equalsIgnoreCase("root")) {
            text = "ROOT";
        }
    }

    public static TerminationId of(String text) {
        return new TerminationId(text);
    }

    public boolean isRoot() {
        return "ROOT".equals(text);
    }

    /** Contains {@code $} or {@code *} (H.248.1 6.2.2 wildcards). */
    public boolean isWildcard() {
        return text.indexOf('$') >= 0 || text.indexOf('*') >= 0;
    }

    public boolean isChoose() {
        return text.indexOf('$') >= 0;
    }

    @Override
    public String toString() {
        return text;
    }
}
