package io.hopgate.control.ng;

import io.hopgate.control.ng.Bencode.BList;
import io.hopgate.control.ng.Bencode.Bytes;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.ng.Bencode.Int;
import io.hopgate.control.ng.Bencode.Value;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One ng request dictionary with rtpengine's spelling rules: a space in a key or a flag may be written as a hyphen
 * ({@code "transport protocol"} and {@code "transport-protocol"} are the same key); keys are otherwise case-sensitive,
 * flags are compared in lower case. A value of the wrong type is an error naming the key, never a cast failure.
 */
final class NgRequest {
    private final Map<String, Value> values = new HashMap<>();
    private final Set<String> flags = new LinkedHashSet<>();

    NgRequest(Dict dict) {
        for (Map.Entry<Bytes, Value> e : dict.entries().entrySet()) {
            values.put(normalise(e.getKey().text()), e.getValue());
        }
        for (String f : strings("flags")) {
            flags.add(normalise(f).toLowerCase(Locale.ROOT));
        }
    }

    static String normalise(String key) {
        return key.replace(' ', '-');
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    /** A string value, or null when absent. */
    String string(String key) {
        Value v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Bytes b) {
            return b.text();
        }
        throw new NgException("'" + key + "' must be a string, got " + kind(v));
    }

    String required(String key) {
        String v = string(key);
        if (v == null || v.isEmpty()) {
            throw new NgException("missing '" + key + "'");
        }
        return v;
    }

    /** An integer given as bencode integer or as a decimal string (Kamailio passes key=value flags as strings). */
    Long integer(String key) {
        Value v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Int i) {
            return i.value();
        }
        if (v instanceof Bytes b) {
            String text = b.text().trim();
            if (text.matches("-?[0-9]{1,18}")) {
                return Long.parseLong(text);
            }
            throw new NgException("'" + key + "' must be an integer, got '" + text + "'");
        }
        throw new NgException("'" + key + "' must be an integer, got " + kind(v));
    }

    /** A list of strings (a single string counts as a one-element list), or an empty list when absent. */
    List<String> strings(String key) {
        Value v = values.get(key);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v instanceof Bytes b) {
            out.add(b.text());
            return out;
        }
        if (!(v instanceof BList list)) {
            throw new NgException("'" + key + "' must be a list of strings, got " + kind(v));
        }
        for (Value item : list.items()) {
            if (!(item instanceof Bytes b)) {
                throw new NgException("'" + key + "' must be a list of strings, found " + kind(item));
            }
            out.add(b.text());
        }
        return out;
    }

    /** The entries of a list key in lower case with hyphens, e.g. replace, rtcp-mux. */
    Set<String> words(String key) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : strings(key)) {
            out.add(normalise(s).toLowerCase(Locale.ROOT));
        }
        return out;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    Set<String> flags() {
        return flags;
    }

    private static String kind(Value v) {
        if (v instanceof Bytes) {
            return "a string";
        }
        if (v instanceof Int) {
            return "an integer";
        }
        return v instanceof BList ? "a list" : "a dictionary";
    }
}
