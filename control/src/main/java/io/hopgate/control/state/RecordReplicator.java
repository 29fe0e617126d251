package io.hopgate.control.state;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates typed records (one per id) to a {@link RecordStore} in the order they change, with the failure policy of
 * the gateway's {@link StateRecorder} (docs/ha.md; both are a {@link ReplicationWriter}): a changed record is written
 * on the writer thread while the caller waits at most {@code timeout}; after a failed or late write the replicator is
 * <em>behind</em> and no caller waits any more; every {@code catch-up} interval the writer pings the store and, once
 * it answers, writes the newest record of every id (and deletes ids it does not know, the store may have lost more
 * than the failed write).
 *
 * <p>Metrics, under the name given ({@code hopgate.callserver.state} for the call server):
 * {@code {name}.writes{result=ok|failed|skipped}}, {@code {name}.replicating} (1 or 0) and {@code {name}.behind}.
 * A failure logs one line at most every 10 s, with the count since.
 *
 * <p>Threads: {@link #record} from any thread (one per id at a time); store commands only on the writer thread.
 *
 * @param <T> the record type; equal records are not written again
 */
public final class RecordReplicator<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RecordReplicator.class);

    private final RecordStore<T> store;
    private final ReplicationWriter<String, T> writer;

    /**
     * @param what   what the records are, for log lines (e.g. "call server state")
     * @param metric the metric name prefix (e.g. {@code hopgate.callserver.state})
     */
    public RecordReplicator(RecordStore<T> store, Duration timeout, Duration catchUpEvery, MeterRegistry registry,
                            String what, String metric) {
        this.store = store;
        this.writer = new ReplicationWriter<>(store, timeout, catchUpEvery, registry, new ReplicationWriter.Names(LOG,
            what, "hopgate-record-state", metric, metric + ".behind",
            "records of " + what + " whose newest state is not in state.redis yet", "behind", "records"));
    }

    /** The store, for start-up reads on the caller's thread before any {@link #record}. */
    public RecordStore<T> store() {
        return store;
    }

    /** True while changes reach the store. */
    public boolean replicating() {
        return writer.replicating();
    }

    /** Ids whose newest record may not be in the store. */
    public int behind() {
        return writer.behind();
    }

    /** Tells the replicator what the store holds already (the records just restored from it). */
    public void restored(Map<String, T> records) {
        writer.restored(records);
    }

    /**
     * Marks the store as not in step (it could not be read at start-up): at the next catch-up the ids it holds that
     * were not recorded since are deleted.
     */
    public void storeUnknown(String cause) {
        writer.storeUnknown(cause);
    }

    /** Records the new state of {@code id}; returns at once when it is unchanged or the replicator is behind. */
    public StateRecorder.Outcome record(String id, T value) {
        return writer.record(id, value);
    }

    /** Waits until everything submitted so far has run on the writer thread (tests, shutdown). */
    public void flush(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
        writer.flush(wait);
    }

    @Override
    public void close() {
        writer.close();
    }
}
