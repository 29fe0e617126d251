package io.hopgate.control.h248;

import java.util.List;

/**
 * What every decoder of the generic {@link TextNode} tree shares: the reader (for positions in errors), numbers that
 * never throw {@link NumberFormatException}, and the checks every item needs. Pass two of {@link MessageParser}.
 */
abstract class NodeDecoder {
    final TextReader in;

    NodeDecoder(TextReader in) {
        this.in = in;
    }

    final MegacoSyntaxException fail(String expected, TextNode at) {
        return in.fail(expected, at.offset());
    }

    static boolean digits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Decimal number 0..max; never throws NumberFormatException. */
    final long number(String v, long max, TextNode at, String what) {
        if (v == null) {
            throw fail(what + " (a number 0.." + max + ")", at);
        }
        String d = v;
        while (d.length() > 1 && d.charAt(0) == '0') {
            d = d.substring(1);
        }
        if (!digits(d) || d.length() > 10 || Long.parseLong(d) > max) {
            throw fail(what + " in range 0.." + max + " instead of '" + v + "'", at);
        }
        return Long.parseLong(d);
    }

    final List<TextNode> braces(TextNode t) {
        if (t.children() == null) {
            throw fail("'{' after " + t.name() + (t.value() == null ? "" : " = " + t.value()), t);
        }
        return t.children();
    }
}
