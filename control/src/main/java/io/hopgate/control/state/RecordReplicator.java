package io.hopgate.control.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates typed records (one per id) to a {@link RecordStore} in the order they change, with the failure policy of
 * the gateway's {@link StateRecorder} (docs/ha.md): a changed record is written on the writer thread while the caller
 * waits at most {@code timeout}; after a failed or late write the replicator is <em>behind</em> and no caller waits
 * any more; every {@code catch-up} interval the writer pings the store and, once it answers, writes the newest record
 * of every id (and deletes ids it does not know, the store may have lost more than the failed write).
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
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RecordStore<T> store;
    private final Duration timeout;
    private final String what;
    private final ScheduledExecutorService writer;
    private final Map<String, T> latest = new ConcurrentHashMap<>();
    private final Set<String> behind = ConcurrentHashMap.newKeySet();
    private volatile boolean replicating = true;
    private volatile boolean resyncAll;
    private final Counter written;
    private final Counter failed;
    private final Counter skipped;
    private final AtomicLong failuresSinceLog = new AtomicLong();
    private volatile long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

    /**
     * @param what   what the records are, for log lines (e.g. "call server state")
     * @param metric the metric name prefix (e.g. {@code hopgate.callserver.state})
     */
    public RecordReplicator(RecordStore<T> store, Duration timeout, Duration catchUpEvery, MeterRegistry registry,
                            String what, String metric) {
        this.store = store;
        this.timeout = timeout;
        this.what = what;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopgate-record-state");
            t.setDaemon(true);
            return t;
        });
        written = writes(registry, metric, "ok");
        failed = writes(registry, metric, "failed");
        skipped = writes(registry, metric, "skipped");
        Gauge.builder(metric + ".replicating", this, r -> r.replicating ? 1 : 0)
            .description("1 while " + what + " reaches state.redis, 0 while it is behind").register(registry);
        Gauge.builder(metric + ".behind", behind, Set::size)
            .description("records of " + what + " whose newest state is not in state.redis yet").register(registry);
        long every = Math.max(10, catchUpEvery.toMillis());
        writer.scheduleWithFixedDelay(this::catchUp, every, every, TimeUnit.MILLISECONDS);
    }

    private Counter writes(MeterRegistry registry, String metric, String result) {
        return Counter.builder(metric + ".writes").tag("result", result)
            .description(what + " writes to state.redis, by result").register(registry);
    }

    /** The store, for start-up reads on the caller's thread before any {@link #record}. */
    public RecordStore<T> store() {
        return store;
    }

    /** True while changes reach the store. */
    public boolean replicating() {
        return replicating;
    }

    /** Ids whose newest record may not be in the store. */
    public int behind() {
        return behind.size();
    }

    /** Tells the replicator what the store holds already (the records just restored from it). */
    public void restored(Map<String, T> records) {
        latest.putAll(records);
    }

    /**
     * Marks the store as not in step (it could not be read at start-up): at the next catch-up the ids it holds that
     * were not recorded since are deleted.
     */
    public void storeUnknown(String cause) {
        resyncAll = true;
        fell(cause);
    }

    /** Records the new state of {@code id}; returns at once when it is unchanged or the replicator is behind. */
    public StateRecorder.Outcome record(String id, T value) {
        T before = latest.put(id, value);
        if (value.equals(before) && !behind.contains(id)) {
            skipped.increment();
            return StateRecorder.Outcome.WRITTEN;
        }
        if (!replicating) {
            behind.add(id);
            failed.increment();
            return StateRecorder.Outcome.NOT_WRITTEN;
        }
        Future<?> done;
        try {
            done = writer.submit(() -> store.write(id, value));
        } catch (RuntimeException e) { // closed
            behind.add(id);
            failed.increment();
            return StateRecorder.Outcome.NOT_WRITTEN;
        }
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            written.increment();
            return StateRecorder.Outcome.WRITTEN;
        } catch (ExecutionException e) {
            onFailure(id, e.getCause() == null ? e.toString() : e.getCause().getMessage());
        } catch (TimeoutException e) {
            onFailure(id, "no answer within state.timeout-ms=" + timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onFailure(id, "interrupted");
        }
        return StateRecorder.Outcome.NOT_WRITTEN;
    }

    private void onFailure(String id, String cause) {
        behind.add(id);
        failed.increment();
        fell(cause);
    }

    private void fell(String cause) {
        replicating = false;
        resyncAll = true;
        long n = failuresSinceLog.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            failuresSinceLog.set(0);
            LOG.warn("{} not replicated store={} failures={} behind={} cause={}", what, store.describe(), n,
                behind.size(), cause);
        }
    }

    /** On the writer thread: once the store answers, write what it missed, then let callers wait again. */
    private void catchUp() {
        if (replicating && behind.isEmpty()) {
            return;
        }
        try {
            store.ping();
            if (resyncAll) {
                for (String id : store.ids()) {
                    if (!latest.containsKey(id)) {
                        behind.add(id);
                    }
                }
                behind.addAll(latest.keySet());
                resyncAll = false;
            }
            drain();
            boolean wasBehind = !replicating;
            replicating = true;
            drain(); // what a caller marked between the first drain and the flag
            if (wasBehind) {
                LOG.info("{} replicated again store={} records={}", what, store.describe(), latest.size());
            }
        } catch (RuntimeException e) {
            fell(e.getMessage());
        }
    }

    private void drain() {
        for (String id : List.copyOf(behind)) {
            behind.remove(id);
            try {
                T value = latest.get(id);
                if (value != null) {
                    store.write(id, value);
                } else {
                    store.delete(id);
                }
                written.increment();
            } catch (RuntimeException e) {
                behind.add(id);
                throw e;
            }
        }
    }

    /** Waits until everything submitted so far has run on the writer thread (tests, shutdown). */
    public void flush(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
        writer.submit(() -> { }).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writer.shutdownNow();
        store.close();
    }
}
