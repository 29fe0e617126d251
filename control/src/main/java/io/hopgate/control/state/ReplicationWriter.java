package io.hopgate.control.state;

import io.hopgate.control.state.StateRecorder.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;

import java.time.Duration;
import java.util.Collection;
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

/**
 * The one writer thread and the failure policy that the gateway's {@link StateRecorder} and a front end's
 * {@link RecordReplicator} share (docs/ha.md), so that both fail, log, count and catch up alike.
 *
 * <p>A changed value is written on the writer thread while the caller waits at most {@code timeout}:
 * {@link Outcome#WRITTEN}, or {@link Outcome#NOT_WRITTEN} when the write failed or timed out. Then the writer is
 * <em>behind</em>: from then on no caller waits at all, it only remembers which ids changed; every {@code catch-up}
 * interval the writer thread pings the store and, once it answers, rewrites the newest value of every id and deletes
 * the ids it no longer has (the store may have lost more than the failed write), and callers wait again. Because
 * every store command runs on the one writer thread, in submission order, an older value never overwrites a newer
 * one.
 *
 * <p>Metrics, named by the owner ({@link Names}): {@code {metric}.writes{result=ok|failed|skipped}},
 * {@code {metric}.replicating} (1 or 0) and the behind gauge. A failure logs one line at most every 10 s, with the
 * count since.
 *
 * <p>Threads: {@link #record} and {@link #remove} from any thread (one per id at a time); store commands only on the
 * writer thread.
 *
 * @param <K> the id type
 * @param <V> the value type; equal values are not written again
 */
final class ReplicationWriter<K, V> implements AutoCloseable {
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * What the owner calls things in its meters, log lines and thread, which each owner keeps as docs/ha.md gives
     * them: the warning reads {@code {what} not replicated store=... failures=... {behindField}=... cause=...}, the
     * recovery {@code {what} replicated again store=... {countField}=...}; both go to the owner's {@code log}.
     */
    record Names(Logger log, String what, String thread, String metric, String behindMetric, String behindDescription,
                 String behindField, String countField) {
    }

    private final KeyedStore<K, V> store;
    private final Duration timeout;
    private final Names names;
    private final ScheduledExecutorService writer;
    /** The newest value of every live id the writer was told about. */
    private final Map<K, V> latest = new ConcurrentHashMap<>();
    /** Ids whose newest value (or removal) may not be in the store. */
    private final Set<K> behind = ConcurrentHashMap.newKeySet();
    private volatile boolean replicating = true;
    /** True until the first full comparison with the store after a failure (or a start without the store). */
    private volatile boolean resyncAll;
    private final Counter written;
    private final Counter failed;
    private final Counter skipped;
    private final AtomicLong failuresSinceLog = new AtomicLong();
    private volatile long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

    ReplicationWriter(KeyedStore<K, V> store, Duration timeout, Duration catchUpEvery, MeterRegistry registry,
                      Names names) {
        this.store = store;
        this.timeout = timeout;
        this.names = names;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, names.thread());
            t.setDaemon(true);
            return t;
        });
        written = writes(registry, "ok");
        failed = writes(registry, "failed");
        skipped = writes(registry, "skipped");
        Gauge.builder(names.metric() + ".replicating", this, w -> w.replicating ? 1 : 0)
            .description("1 while " + names.what() + " reaches state.redis, 0 while it is behind").register(registry);
        Gauge.builder(names.behindMetric(), behind, Set::size)
            .description(names.behindDescription()).register(registry);
        long every = Math.max(10, catchUpEvery.toMillis());
        writer.scheduleWithFixedDelay(this::catchUp, every, every, TimeUnit.MILLISECONDS);
    }

    private Counter writes(MeterRegistry registry, String result) {
        return Counter.builder(names.metric() + ".writes").tag("result", result)
            .description(names.what() + " writes to state.redis, by result").register(registry);
    }

    /** True while changes reach the store (no write is outstanding after a failure). */
    boolean replicating() {
        return replicating;
    }

    /** Ids whose newest value may not be in the store. */
    int behind() {
        return behind.size();
    }

    /** Tells the writer what the store holds already (just restored from it), so unchanged values are not written. */
    void restored(Map<K, V> values) {
        latest.putAll(values);
    }

    /** Marks the store as not in step: at the next catch-up the ids it holds that were not recorded since go. */
    void storeUnknown(String cause) {
        resyncAll = true;
        fell(cause);
    }

    /** Records the new value of {@code id}; returns at once when it is unchanged or the writer is behind. */
    Outcome record(K id, V value) {
        V before = latest.put(id, value);
        if (value.equals(before) && !behind.contains(id)) {
            skipped.increment();
            return Outcome.WRITTEN;
        }
        return submit(id, () -> store.write(id, value));
    }

    /** Records that {@code id} no longer exists. */
    Outcome remove(K id) {
        if (latest.remove(id) == null && !behind.contains(id)) {
            return Outcome.WRITTEN; // never recorded, nothing to delete
        }
        return submit(id, () -> store.delete(id));
    }

    /**
     * Runs a best-effort write on the writer thread, after everything submitted so far, without waiting: skipped
     * while the writer is behind, and a failure is only counted (the catch-up does not redo it).
     */
    void aside(Runnable write) {
        if (!replicating) {
            return;
        }
        try {
            writer.execute(() -> {
                try {
                    write.run();
                    written.increment();
                } catch (RuntimeException e) {
                    failed.increment();
                }
            });
        } catch (RuntimeException e) { // closed
            // nothing to keep
        }
    }

    /** The newest value recorded for {@code id}, or null. */
    V latest(K id) {
        return latest.get(id);
    }

    /** Every value recorded and not removed. */
    Collection<V> latest() {
        return List.copyOf(latest.values());
    }

    private Outcome submit(K id, Runnable write) {
        if (!replicating) {
            behind.add(id);
            failed.increment();
            return Outcome.NOT_WRITTEN;
        }
        Future<?> done;
        try {
            done = writer.submit(write);
        } catch (RuntimeException e) { // closed
            behind.add(id);
            failed.increment();
            return Outcome.NOT_WRITTEN;
        }
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            written.increment();
            return Outcome.WRITTEN;
        } catch (ExecutionException e) {
            onFailure(id, e.getCause() == null ? e.toString() : e.getCause().getMessage());
        } catch (TimeoutException e) {
            onFailure(id, "no answer within state.timeout-ms=" + timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onFailure(id, "interrupted");
        }
        return Outcome.NOT_WRITTEN;
    }

    private void onFailure(K id, String cause) {
        behind.add(id);
        failed.increment();
        fell(cause);
    }

    private void fell(String cause) {
        replicating = false;
        // The store may have lost more than the failed write (a restarted Redis without persistence, a failover to a
        // replica that was behind): the catch-up compares every id with it and rewrites every value.
        resyncAll = true;
        long n = failuresSinceLog.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            failuresSinceLog.set(0);
            names.log().warn("{} not replicated store={} failures={} {}={} cause={}", names.what(), store.describe(),
                n, names.behindField(), behind.size(), cause);
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
                // Ids the store holds that this run does not know: stale values of a run that started blind.
                for (K id : store.ids()) {
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
                names.log().info("{} replicated again store={} {}={}", names.what(), store.describe(),
                    names.countField(), latest.size());
            }
        } catch (RuntimeException e) {
            fell(e.getMessage());
        }
    }

    private void drain() {
        for (K id : List.copyOf(behind)) {
            behind.remove(id);
            try {
                V value = latest.get(id);
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
    void flush(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
        writer.submit(() -> { }).get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the writer thread (waiting up to 2 s for what was submitted), then closes the store. */
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
