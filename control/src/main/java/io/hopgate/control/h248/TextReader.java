package io.hopgate.control.h248;

import java.util.ArrayList;
import java.util.List;

/**
 * Bounded reader for the H.248 text encoding: a cursor over the message with whitespace and
 * {@code ;} comment skipping, and the generic tree grammar
 * {@code item = name [= value] [{ item *(, item) }]} (RFC 3525 B.2 reduced to its shape). Local and
 * Remote bodies are octet strings read up to the first unescaped {@code }}. Every loop advances the
 * cursor or stops, nesting is capped at {@link #MAX_DEPTH}, and every failure is a
 * {@link MegacoSyntaxException} naming the position, what was expected and what was found.
 */
final class TextReader {
    static final int MAX_DEPTH = 32;

    private final String s;
    private final int n;
    private int i;
    /** Name and value of the top-level item being read (e.g. Transaction, 12), for errors inside it. */
    private String topName;
    private String topValue;

    TextReader(String s) {
        this.s = s;
        this.n = s.length();
    }

    int position() {
        return i;
    }

    /** The name of the last top-level item whose header was read ({@code Transaction}), or null. */
    String topName() {
        return topName;
    }

    /** The value of that item ({@code 12} in {@code Transaction = 12 {}), or null. */
    String topValue() {
        return topValue;
    }

    boolean atEnd() {
        return i >= n;
    }

    char peek() {
        return i < n ? s.charAt(i) : '\0';
    }

    void skip(int count) {
        i = Math.min(n, i + count);
    }

    /** Skips spaces, tabs, line ends and {@code ;} comments; returns whether anything was skipped. */
    boolean ws() {
        int start = i;
        while (i < n) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == ';') {
                int j = s.indexOf('\n', i);
                i = j < 0 ? n : j + 1;
            } else {
                break;
            }
        }
        return i > start;
    }

    MegacoSyntaxException fail(String expected, int at) {
        int pos = Math.max(0, Math.min(at, n));
        int line = 1;
        int lineStart = 0;
        for (int k = 0; k < pos; k++) {
            if (s.charAt(k) == '\n') {
                line++;
                lineStart = k + 1;
            }
        }
        int column = pos - lineStart + 1;
        return new MegacoSyntaxException("syntax error at line " + line + " column " + column + " (offset " + pos
                + "): expected " + expected + ", found " + found(pos), pos, line, column);
    }

    MegacoSyntaxException fail(String expected) {
        return fail(expected, i);
    }

    private String found(int pos) {
        if (pos >= n) {
            return "end of message";
        }
        int end = Math.min(n, pos + 20);
        StringBuilder sb = new StringBuilder("'");
        for (int k = pos; k < end; k++) {
            char c = s.charAt(k);
            sb.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c < 0x20 || c > 0x7e ? "?" : c);
        }
        return sb.append(end < n ? "...'" : "'").toString();
    }

    private static boolean wordEnd(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' || c == ',' || c == '='
                || c == '"' || c == ';';
    }

    /** A bare word (name, token, id, value); {@code [...]} groups are kept whole. May be empty. */
    String word() {
        int start = i;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '[') {
                // an address or a [v1, v2] value list: kept whole, on one line, no braces or quotes inside
                int j = i + 1;
                while (j < n && s.charAt(j) != ']') {
                    char d = s.charAt(j);
                    if (d == '"' || d == '{' || d == '}' || d == ';' || d == '[' || (d < 0x20 && d != '\t')) {
                        throw fail("']' closing the '[' at offset " + i, j);
                    }
                    j++;
                }
                if (j >= n) {
                    throw fail("']' closing the '[' at offset " + i, n);
                }
                i = j + 1;
                continue;
            }
            if (wordEnd(c) || c < 0x20) {
                break;
            }
            i++;
        }
        return s.substring(start, i);
    }

    /** The text of a {@code "..."} string at the cursor (no escapes exist in H.248 text). */
    String quoted() {
        int start = i;
        int j = s.indexOf('"', i + 1);
        if (j < 0) {
            throw fail("'\"' closing the quoted string", start);
        }
        i = j + 1;
        return s.substring(start + 1, j);
    }

    /** Reads the raw characters from {@code from} to {@code to} (exclusive) and moves past {@code to}. */
    String upTo(char close, String what) {
        int j = s.indexOf(close, i);
        if (j < 0) {
            throw fail("'" + close + "' closing " + what, n);
        }
        String t = s.substring(i, j);
        i = j + 1;
        return t;
    }

    /** Items up to end of text (depth 0) or the closing brace (depth > 0, brace consumed). */
    List<TextNode> items(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail("at most " + MAX_DEPTH + " nested '{'");
        }
        List<TextNode> out = new ArrayList<>();
        ws();
        if (depth > 0 && peek() == '}') {
            i++;
            return out;
        }
        while (true) {
            ws();
            if (i >= n) {
                if (depth > 0) {
                    throw fail("'}'");
                }
                return out;
            }
            char c = s.charAt(i);
            if (c == '}' && depth == 0) {
                throw fail("a transaction (unbalanced '}')");
            }
            out.add(item(depth));
            ws();
            if (depth == 0) {
                topName = null;   // between top-level items a failure belongs to none of them
                topValue = null;
                if (peek() == ',') {
                    i++;   // transactions need no separator; tolerate one
                }
                continue;
            }
            if (peek() == ',') {
                i++;
            } else if (peek() == '}') {
                i++;
                return out;
            } else {
                throw fail("',' or '}'");
            }
        }
    }

    private TextNode item(int depth) {
        int start = i;
        char c = peek();
        if (c == '"') {
            return new TextNode(null, quoted(), null, null, start);
        }
        String name = word();
        if (name.isEmpty()) {
            throw fail("a name");
        }
        ws();
        String value = null;
        if (peek() == '=') {
            i++;
            ws();
            if (peek() == '"') {
                value = quoted();
            } else {
                value = word();
                if (value.isEmpty()) {
                    throw fail("a value after '='");
                }
            }
            ws();
        }
        if (depth == 0) {
            topName = name;
            topValue = value;
        }
        if (peek() != '{') {
            return new TextNode(name, value, null, null, start);
        }
        i++;
        if (Tokens.is(name, "Local") || Tokens.is(name, "Remote")) {
            return new TextNode(name, value, null, octets(), start);
        }
        return new TextNode(name, value, items(depth + 1), null, start);
    }

    /**
     * An octet string up to the first {@code }} not escaped as {@code \}}; line ends become
     * {@code \n}, each line is trimmed and blank lines are dropped (SDP has no blank lines).
     */
    private String octets() {
        int start = i;
        int j = i;
        while (true) {
            j = s.indexOf('}', j);
            if (j < 0) {
                throw fail("'}' closing the Local/Remote descriptor", start);
            }
            if (j > start && s.charAt(j - 1) == '\\') {
                j++;
                continue;
            }
            break;
        }
        String raw = s.substring(start, j).replace("\\}", "}");
        i = j + 1;
        return normaliseOctets(raw);
    }

    static String normaliseOctets(String raw) {
        StringBuilder sb = new StringBuilder(raw.length());
        for (String line : raw.split("\r\n|\r|\n", -1)) {
            String t = line.strip();
            if (!t.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(t);
            }
        }
        return sb.toString();
    }
}
