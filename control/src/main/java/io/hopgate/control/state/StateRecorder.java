package io.hopgate.control.state;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * Replicates contexts to a {@link CallStateStore} in the order they change, and says whether each change is safe.
 *
 * <p>A control thread calls {@link #record} (or {@link #remove}) after it changed a context and before it replies.
 * An unchanged snapshot costs a map lookup. A changed one is written on the writer thread while the control thread
 * waits at most {@code timeout}: {@link Outcome#WRITTEN}, or {@link Outcome#NOT_WRITTEN} when the write failed or
 * timed out. Then the recorder is <em>behind</em>: from then on it does not wait at all, it only remembers which
 * contexts changed; every {@code catch-up} interval the writer thread pings the store and, once it answers, rewrites
 * the newest snapshot of every context and deletes the ids it no longer has (the store may have lost more than the
 * failed write), and the recorder waits again.
 * The front end decides what NOT_WRITTEN means for its reply ({@code state.on-failure}). Because every store command
 * runs on the one writer thread, in submission order, an older snapshot never overwrites a newer one.
 *
 * <p>Metrics: {@code hopgate_state_writes_total{result=ok|failed|skipped}}, {@code hopgate_state_replicating} (1 or
 * 0) and {@code hopgate_state_behind_contexts}. A failure logs one line at most every 10 s, with the count since.
 *
 * <p>Threads: {@link #record} and {@link #remove} from any thread (one per context at a time).
 */
public final class StateRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateRecorder.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What became of one change. */
    public enum Outcome {
        /** In the store (or unchanged since it was). */
        WRITTEN,
        /** Not in the store yet: it will be written when the store answers again. */
        NOT_WRITTEN
    }

    private final CallStateStore store;
    private final Duration timeout;
    private final ScheduledExecutorService writer;
    /** The newest snapshot of every live context the recorder was told about. */
    private final Map<Integer, ContextSnapshot> latest = new ConcurrentHashMap<>();
    /** Contexts whose newest snapshot (or removal) may not be in the store. */
    private final Set<Integer> behind = ConcurrentHashMap.newKeySet();
    private volatile boolean replicating = true;
    /** True until the first full comparison with the store after a failure (or a start without the store). */
    private volatile boolean resyncAll;
    private final Counter written;
    private final Counter failed;
    private final Counter skipped;
    private final AtomicLong failuresSinceLog = new AtomicLong();
    private volatile long lastLogNanos = System.nanoTime() - LOG_EVERY_NANOS;

    public StateRecorder(CallStateStore store, Duration timeout, Duration catchUpEvery, MeterRegistry registry) {
        this.store = store;
        this.timeout = timeout;
        this.writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hopgate-state");
            t.setDaemon(true);
            return t;
        });
        written = Counter.builder("hopgate.state.writes").tag("result", "ok")
            .description("call state writes to state.redis, by result").register(registry);
        failed = Counter.builder("hopgate.state.writes").tag("result", "failed")
            .description("call state writes to state.redis, by result").register(registry);
        skipped = Counter.builder("hopgate.state.writes").tag("result", "skipped")
            .description("call state writes to state.redis, by result").register(registry);
        Gauge.builder("hopgate.state.replicating", this, r -> r.replicating ? 1 : 0)
            .description("1 while call state reaches state.redis, 0 while it is behind").register(registry);
        Gauge.builder("hopgate.state.behind.contexts", behind, Set::size)
            .description("contexts whose newest state is not in state.redis yet").register(registry);
        long every = Math.max(10, catchUpEvery.toMillis());
        writer.scheduleWithFixedDelay(this::catchUp, every, every, TimeUnit.MILLISECONDS);
    }

    /** The store, for start-up reads on the caller's thread before any {@link #record}. */
    public CallStateStore store() {
        return store;
    }

    /** True while changes reach the store (no write is outstanding after a failure). */
    public boolean replicating() {
        return replicating;
    }

    /** Contexts whose newest state may not be in the store. */
    public int behindContexts() {
        return behind.size();
    }

    /**
     * Tells the recorder what the store holds already (the contexts just restored from it), so that unchanged ones
     * are not written again.
     */
    public void restored(Collection<ContextSnapshot> contexts) {
        for (ContextSnapshot c : contexts) {
            latest.put(c.id(), c);
        }
    }

    /**
     * Marks the store as not in step with this gateway (it could not be read at start-up): at the next catch-up
     * every context the store holds that this gateway does not have is deleted.
     */
    public void storeUnknown() {
        resyncAll = true;
        fell("state.redis could not be read at start-up");
    }

    /** Records the context's new state; returns at once when it is unchanged or the recorder is behind. */
    public Outcome record(ContextSnapshot context) {
        ContextSnapshot before = latest.put(context.id(), context);
        if (context.equals(before) && !behind.contains(context.id())) {
            skipped.increment();
            return Outcome.WRITTEN;
        }
        return submit(context.id(), () -> store.write(context));
    }

    /** Records that the context no longer exists. */
    public Outcome remove(int contextId) {
        if (latest.remove(contextId) == null && !behind.contains(contextId)) {
            return Outcome.WRITTEN; // never recorded, nothing to delete
        }
        return submit(contextId, () -> store.delete(contextId));
    }

    /**
     * Writes a front end's expiring value on the writer thread, after everything submitted so far, without waiting
     * (docs/ha.md, "ng calls": the ng reply cache). Best effort: skipped while the recorder is behind, and a failure
     * is only counted (the catch-up does not rewrite it; it would soon expire anyway).
     */
    public void recordExpiring(String name, String value, long ttlMs) {
        aside(() -> store.writeExpiring(name, value, ttlMs));
    }

    /**
     * Replaces a table on the writer thread without waiting (the gateway's RTCP sender counts, docs/ha.md); best
     * effort like {@link #recordExpiring}: the next sweep writes it again.
     */
    public void recordTable(String name, Map<String, String> fields) {
        Map<String, String> copy = Map.copyOf(fields);
        aside(() -> store.replaceTable(name, copy));
    }

    private void aside(Runnable write) {
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

    /** The newest snapshot recorded for a context, or null. */
    public ContextSnapshot latest(int contextId) {
        return latest.get(contextId);
    }

    /** Every context recorded and not removed. */
    public Collection<ContextSnapshot> latest() {
        return List.copyOf(latest.values());
    }

    private Outcome submit(int contextId, Runnable write) {
        if (!replicating) {
            behind.add(contextId);
            failed.increment();
            return Outcome.NOT_WRITTEN;
        }
        Future<?> done;
        try {
            done = writer.submit(write);
        } catch (RuntimeException e) { // closed
            behind.add(contextId);
            failed.increment();
            return Outcome.NOT_WRITTEN;
        }
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            written.increment();
            return Outcome.WRITTEN;
        } catch (ExecutionException e) {
            onFailure(contextId, e.getCause() == null ? e.toString() : e.getCause().getMessage());
        } catch (TimeoutException e) {
            onFailure(contextId, "no answer within state.timeout-ms=" + timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onFailure(contextId, "interrupted");
        }
        return Outcome.NOT_WRITTEN;
    }

    private void onFailure(int contextId, String cause) {
        behind.add(contextId);
        failed.increment();
        fell(cause);
    }

    private void fell(String cause) {
        replicating = false;
        // The store may have lost more than the failed write (a restarted Redis without persistence, a failover to a
        // replica that was behind): the catch-up compares every id with it and rewrites every context.
        resyncAll = true;
        long n = failuresSinceLog.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastLogNanos >= LOG_EVERY_NANOS) {
            lastLogNanos = now;
            failuresSinceLog.set(0);
            LOG.warn("call state not replicated store={} failures={} behind-contexts={} cause={}", store.describe(), n,
                behind.size(), cause);
        }
    }

    /** On the writer thread: once the store answers, write what it missed, then let control threads wait again. */
    private void catchUp() {
        if (replicating && behind.isEmpty()) {
            return;
        }
        try {
            store.ping();
            if (resyncAll) {
                // Ids the store holds that this gateway does not know: stale contexts of a run that started blind.
                for (int id : store.ids()) {
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
            drain(); // what a control thread marked between the first drain and the flag
            if (wasBehind) {
                LOG.info("call state replicated again store={} contexts={}", store.describe(), latest.size());
            }
        } catch (RuntimeException e) {
            fell(e.getMessage());
        }
    }

    private void drain() {
        for (Integer id : List.copyOf(behind)) {
            behind.remove(id);
            try {
                ContextSnapshot c = latest.get(id);
                if (c != null) {
                    store.write(c);
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

    /** Runs {@code task} on the writer thread after everything submitted so far (tests, shutdown). */
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
