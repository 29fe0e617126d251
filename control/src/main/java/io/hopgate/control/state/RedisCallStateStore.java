package io.hopgate.control.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The call state store on Redis (Lettuce, synchronous API on one connection, so commands stay in order). Layout, all
 * under the gateway's mId so that several gateways can share one Redis:
 * <pre>
 *   hopgate:mg:{mid}:contexts     set of context ids
 *   hopgate:mg:{mid}:ctx:{id}     the context as JSON ({@link ContextSnapshot})
 *   hopgate:mg:{mid}:x:{name}     a front end's expiring value (SET PX), e.g. the ng reply cache
 *   hopgate:mg:{mid}:t:{name}     a hash replaced as a whole (DEL, HSET in a MULTI), e.g. RTCP sender counts
 * </pre>
 * A context is written as one SET then one SADD in a MULTI/EXEC, so a reader never sees an id without its context.
 * Commands fail after {@code timeout} and are rejected at once while the connection is down (Lettuce's
 * REJECT_COMMANDS), so a caller never waits longer than that; the connection reconnects by itself
 * ({@link RedisStore}, shared with the call server's {@link RedisRecordStore}).
 */
public final class RedisCallStateStore extends RedisStore implements CallStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisCallStateStore.class);
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final String prefix;

    private RedisCallStateStore(RedisURI uri, String mid, Duration timeout) {
        super(uri, timeout);
        this.prefix = "hopgate:mg:" + mid + ":";
    }

    /**
     * A store for {@code uri} (e.g. {@code redis://127.0.0.1:6379/0}) under {@code mid}; it connects on first use.
     *
     * @throws IllegalArgumentException when {@code uri} is not a Redis URI
     */
    public static RedisCallStateStore create(String uri, String mid, Duration timeout) {
        RedisCallStateStore store = new RedisCallStateStore(parse(uri), mid, timeout);
        try {
            // The first serialisation of a record type builds its serializer (a hundred ms and more on a cold JVM):
            // done here, at start-up, rather than inside the first control command's timeout.
            JSON.readValue(JSON.writeValueAsString(new ContextSnapshot(0, java.util.List.of(
                new ContextSnapshot.TerminationSnapshot("rtp/0", 0, 0, null, "INACTIVE", false, 8000, null, 0,
                    new ContextSnapshot.Egress(0, 0, 0, 0, 0, 0, 0), java.util.Map.of())),
                java.util.List.of(new ContextSnapshot.TopologyEntry("a", "b", "isolate")))), ContextSnapshot.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("call state JSON mapping is broken", e);
        }
        return store;
    }

    /** Connects now (at start-up, where a slow first connection costs nothing), waiting at most the timeout. */
    public void connect() {
        redis();
    }

    private String contextKey(int id) {
        return prefix + "ctx:" + id;
    }

    private String indexKey() {
        return prefix + "contexts";
    }

    @Override
    public void write(ContextSnapshot context) {
        String json;
        try {
            json = JSON.writeValueAsString(context);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("context " + context.id() + " cannot be written as JSON", e);
        }
        run("write context " + context.id(), r -> {
            r.multi();
            r.set(contextKey(context.id()), json);
            r.sadd(indexKey(), Integer.toString(context.id()));
            r.exec();
        });
    }

    @Override
    public void delete(int contextId) {
        run("delete context " + contextId, r -> {
            r.multi();
            r.del(contextKey(contextId));
            r.srem(indexKey(), Integer.toString(contextId));
            r.exec();
        });
    }

    @Override
    public Set<Integer> ids() {
        Set<Integer> out = new TreeSet<>();
        run("read context ids", r -> {
            for (String id : r.smembers(indexKey())) {
                try {
                    out.add(Integer.parseInt(id));
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring bad context id in {} id={}", indexKey(), id);
                }
            }
        });
        return out;
    }

    @Override
    public List<ContextSnapshot> loadAll() {
        Set<Integer> ids = ids();
        List<ContextSnapshot> out = new ArrayList<>();
        if (ids.isEmpty()) {
            return out;
        }
        String[] keys = ids.stream().map(this::contextKey).toArray(String[]::new);
        run("read contexts", r -> {
            for (KeyValue<String, String> kv : r.mget(keys)) {
                if (!kv.hasValue()) {
                    continue; // an id whose context was deleted between the two reads
                }
                try {
                    out.add(JSON.readValue(kv.getValue(), ContextSnapshot.class));
                } catch (JsonProcessingException e) {
                    LOG.warn("ignoring unreadable context key={} cause={}", kv.getKey(), e.getOriginalMessage());
                }
            }
        });
        out.sort(Comparator.comparingInt(ContextSnapshot::id));
        return out;
    }

    @Override
    public int swapEpoch(int epoch) {
        int[] before = {-1};
        run("swap id epoch", r -> {
            String old = r.getset(prefix + "epoch", Integer.toString(epoch));
            if (old != null) {
                try {
                    before[0] = Integer.parseInt(old);
                } catch (NumberFormatException e) {
                    LOG.warn("ignoring bad id epoch key={}epoch value={}", prefix, old);
                }
            }
        });
        return before[0];
    }

    @Override
    public void writeExpiring(String name, String value, long ttlMs) {
        run("write " + name, r -> r.set(prefix + "x:" + name, value, SetArgs.Builder.px(Math.max(1, ttlMs))));
    }

    @Override
    public Map<String, String> loadExpiring(String namePrefix) {
        String keyPrefix = prefix + "x:" + namePrefix;
        Map<String, String> out = new LinkedHashMap<>();
        run("read " + namePrefix + "*", r -> {
            List<String> keys = keysUnder(r, keyPrefix);
            for (int from = 0; from < keys.size(); from += 1000) {
                List<String> chunk = keys.subList(from, Math.min(keys.size(), from + 1000));
                for (KeyValue<String, String> kv : r.mget(chunk.toArray(String[]::new))) {
                    if (kv.hasValue()) { // else expired between SCAN and MGET
                        out.put(kv.getKey().substring(prefix.length() + 2), kv.getValue());
                    }
                }
            }
        });
        return out;
    }

    @Override
    public void replaceTable(String name, Map<String, String> fields) {
        String key = prefix + "t:" + name;
        run("write " + name, r -> {
            r.multi();
            r.del(key);
            if (!fields.isEmpty()) {
                r.hset(key, fields);
            }
            r.exec();
        });
    }

    @Override
    public Map<String, String> loadTable(String name) {
        Map<String, String> out = new LinkedHashMap<>();
        run("read " + name, r -> out.putAll(r.hgetall(prefix + "t:" + name)));
        return out;
    }
}
