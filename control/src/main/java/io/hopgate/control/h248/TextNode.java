package io.hopgate.control.h248;

import java.util.List;

/**
 * One item of the generic tree: {@code name [= value] [{ children }]}, a bare quoted string
 * ({@code name} null, {@code value} its text) or an octet-string item ({@code octets} set).
 * {@code offset} is where the item starts in the message text, for error positions.
 */
record TextNode(String name, String value, List<TextNode> children, String octets, int offset) {

    /** Canonical long token of the name, or the name as written. */
    String key() {
        return Tokens.canonicalOrSelf(name);
    }

    boolean is(String token) {
        return name != null && Tokens.is(name, token);
    }
}
