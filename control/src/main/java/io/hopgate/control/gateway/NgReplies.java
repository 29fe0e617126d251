package io.hopgate.control.gateway;

import io.hopgate.control.ng.NgReplyStore;
import io.hopgate.control.state.StateRecorder;
import io.hopgate.control.state.StateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The ng reply cache in {@code state.redis} (docs/ha.md, "ng calls"): each kept reply is one expiring value
 * {@code ng-reply:{peer} {cookie}} = {@code {sent epoch ms}:{datagram in base64}}, written by the recorder's writer
 * after the call's state and forgotten by Redis after {@code control.reply-cache-ms}.
 */
final class NgReplies implements NgReplyStore {
    private static final Logger LOG = LoggerFactory.getLogger(NgReplies.class);
    private static final String PREFIX = "ng-reply:";

    private final StateRecorder recorder;

    NgReplies(StateRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public void save(String key, byte[] datagram, long atMs, long ttlMs) {
        recorder.recordExpiring(PREFIX + key, atMs + ":" + Base64.getEncoder().encodeToString(datagram), ttlMs);
    }

    @Override
    public Map<String, Stored> load() {
        Map<String, String> kept;
        try {
            kept = recorder.store().loadExpiring(PREFIX);
        } catch (StateStoreException e) {
            LOG.warn("ng replies not restored store={} cause={}", recorder.store().describe(), e.getMessage());
            return Map.of();
        }
        Map<String, Stored> out = new HashMap<>();
        for (Map.Entry<String, String> e : kept.entrySet()) {
            String value = e.getValue();
            int colon = value.indexOf(':');
            try {
                out.put(e.getKey().substring(PREFIX.length()), new Stored(
                    Base64.getDecoder().decode(value.substring(colon + 1)), Long.parseLong(value.substring(0, colon))));
            } catch (IllegalArgumentException | StringIndexOutOfBoundsException bad) {
                LOG.warn("ignoring unreadable ng reply key={}", e.getKey());
            }
        }
        return out;
    }
}
