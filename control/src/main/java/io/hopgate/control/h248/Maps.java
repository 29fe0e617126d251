package io.hopgate.control.h248;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Immutable insertion-ordered copies (values may be null: a property named without a value). */
final class Maps {
    private Maps() {
    }

    static <V> Map<String, V> copy(Map<String, V> m) {
        if (m == null || m.isEmpty()) {
            return Map.of();
        }
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
