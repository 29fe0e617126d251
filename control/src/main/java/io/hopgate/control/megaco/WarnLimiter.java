package io.hopgate.control.megaco;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * At most one log line per cause per interval, with the number of lines left out since the last one: a peer that
 * makes every command fail (or a resource that has run out) must not flood the log (docs/architecture.md, section 5.2).
 * The causes remembered are bounded (the least recently logged is forgotten first). Thread-safe.
 */
public final class WarnLimiter {
    private static final int MAX_CAUSES = 1024;

    private static final class Seen {
        long lastNanos;
        long suppressed;
    }

    private final long intervalNanos;
    private final Map<String, Seen> causes = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Seen> eldest) {
            return size() > MAX_CAUSES;
        }
    };

    public WarnLimiter(long intervalMs) {
        this.intervalNanos = intervalMs * 1_000_000L;
    }

    /**
     * Whether a line for {@code cause} may be logged now: -1 when not (the line is counted as suppressed), else how
     * many lines for that cause were suppressed since the last one logged.
     */
    public synchronized long admit(String cause, long nowNanos) {
        Seen s = causes.get(cause);
        if (s == null) {
            s = new Seen();
            s.lastNanos = nowNanos;
            causes.put(cause, s);
            return 0;
        }
        if (nowNanos - s.lastNanos < intervalNanos) {
            s.suppressed++;
            return -1;
        }
        long suppressed = s.suppressed;
        s.suppressed = 0;
        s.lastNanos = nowNanos;
        return suppressed;
    }
}
