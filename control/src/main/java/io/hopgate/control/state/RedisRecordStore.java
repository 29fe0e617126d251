package io.hopgate.control.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RecordStore} on Redis, on the same {@link RedisStore} set-up as the gateway's
 * {@link RedisCallStateStore} (Lettuce, synchronous API on one connection, commands fail after the timeout and are
 * rejected at once while the connection is down). Layout,
 * under a prefix of the owner's choosing (the call server's is {@code hopgate:cs:{callserver.name}:}):
 * <pre>
 *   {prefix}{index}        set of record ids
 *   {prefix}{kind}:{id}    the record as JSON (Jackson, the record type's own fields)
 * </pre>
 * A record is written as one SET then one SADD in a MULTI/EXEC, so a reader never sees an id without its record.
 *
 * @param <T> the record type
 */
public final class RedisRecordStore<T> extends RedisStore implements RecordStore<T> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisRecordStore.class);
    private static final ObjectMapper JSON = new ObjectMapper()
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Class<T> type;
    private final String indexKey;
    private final String recordPrefix;

    private RedisRecordStore(RedisURI uri, Class<T> type, String indexKey, String recordPrefix, Duration timeout) {
        super(uri, timeout);
        this.type = type;
        this.indexKey = indexKey;
        this.recordPrefix = recordPrefix;
    }

    /**
     * A store of {@code type} records for {@code uri} (e.g. {@code redis://127.0.0.1:6379/0}): ids in the set
     * {@code prefix + index}, each record at {@code prefix + kind + ":" + id}. It connects on first use.
     * {@code sample} is serialised and read back once here, so that Jackson builds its serializers at start-up rather
     * than inside the first write's timeout.
     *
     * @throws IllegalArgumentException when {@code uri} is not a Redis URI
     */
    public static <T> RedisRecordStore<T> create(String uri, String prefix, String index, String kind, Class<T> type,
                                                 T sample, Duration timeout) {
        RedisURI parsed = parse(uri);
        try {
            JSON.readValue(JSON.writeValueAsString(sample), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(type.getSimpleName() + " JSON mapping is broken", e);
        }
        return new RedisRecordStore<>(parsed, type, prefix + index, prefix + kind + ":", timeout);
    }

    /** The JSON text of a record, as it is stored (tests, log lines). */
    public static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(value.getClass().getSimpleName() + " cannot be written as JSON", e);
        }
    }

    @Override
    public void write(String id, T value) {
        String json = json(value);
        run("write " + recordPrefix + id, r -> {
            r.multi();
            r.set(recordPrefix + id, json);
            r.sadd(indexKey, id);
            r.exec();
        });
    }

    @Override
    public void delete(String id) {
        run("delete " + recordPrefix + id, r -> {
            r.multi();
            r.del(recordPrefix + id);
            r.srem(indexKey, id);
            r.exec();
        });
    }

    @Override
    public Set<String> ids() {
        Set<String> out = new TreeSet<>();
        run("read " + indexKey, r -> out.addAll(r.smembers(indexKey)));
        return out;
    }

    @Override
    public Map<String, T> loadAll() {
        Set<String> ids = ids();
        Map<String, T> out = new TreeMap<>();
        if (ids.isEmpty()) {
            return out;
        }
        String[] keys = ids.stream().map(id -> recordPrefix + id).toArray(String[]::new);
        run("read " + recordPrefix + "*", r -> {
            for (KeyValue<String, String> kv : r.mget(keys)) {
                if (!kv.hasValue()) {
                    continue; // an id whose record was deleted between the two reads
                }
                try {
                    out.put(kv.getKey().substring(recordPrefix.length()), JSON.readValue(kv.getValue(), type));
                } catch (JsonProcessingException e) {
                    LOG.warn("ignoring unreadable record key={} cause={}", kv.getKey(), e.getOriginalMessage());
                }
            }
        });
        return out;
    }
}
