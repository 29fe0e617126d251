package io.hopgate.control.state;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Replicates contexts to a {@link CallStateStore} in the order they change, and says whether each change is safe.
 *
 * <p>A control thread calls {@link #record} (or {@link #remove}) after it changed a context and before it replies.
 * An unchanged snapshot costs a map lookup. A changed one is written on the writer thread while the control thread
 * waits at most {@code timeout}: {@link Outcome#WRITTEN}, or {@link Outcome#NOT_WRITTEN} when the write failed or
 * timed out. Then the recorder is <em>behind</em>: from then on it does not wait at all, it only remembers which
 * contexts changed; every {@code catch-up} interval the writer thread pings the store and, once it answers, rewrites
 * the newest snapshot of every context and deletes the ids it no longer has (the store may have lost more than the
 * failed write), and the recorder waits again. That policy is {@link ReplicationWriter}'s, shared with the call
 * server's {@link RecordReplicator}.
 * The front end decides what NOT_WRITTEN means for its reply ({@code state.on-failure}). Because every store command
 * runs on the one writer thread, in submission order, an older snapshot never overwrites a newer one.
 *
 * <p>Metrics: {@code hopgate_state_writes_total{result=ok|failed|skipped}}, {@code hopgate_state_replicating} (1 or
 * 0) and {@code hopgate_state_behind_contexts}. A failure logs one line at most every 10 s, with the count since.
 *
 * <p>Threads: {@link #record} and {@link #remove} from any thread (one per context at a time).
 */
public final class StateRecorder implements AutoCloseable {
    private static final ReplicationWriter.Names NAMES = new ReplicationWriter.Names(
        LoggerFactory.getLogger(StateRecorder.class), "call state", "hopgate-state", "hopgate.state",
        "hopgate.state.behind.contexts", "contexts whose newest state is not in state.redis yet", "behind-contexts",
        "contexts");

    /** What became of one change. */
    public enum Outcome {
        /** In the store (or unchanged since it was). */
        WRITTEN,
        /** Not in the store yet: it will be written when the store answers again. */
        NOT_WRITTEN
    }

    private final CallStateStore store;
    private final ReplicationWriter<Integer, ContextSnapshot> writer;

    public StateRecorder(CallStateStore store, Duration timeout, Duration catchUpEvery, MeterRegistry registry) {
        this.store = store;
        this.writer = new ReplicationWriter<>(new ContextStore(store), timeout, catchUpEvery, registry, NAMES);
    }

    /** The store, for start-up reads on the caller's thread before any {@link #record}. */
    public CallStateStore store() {
        return store;
    }

    /** True while changes reach the store (no write is outstanding after a failure). */
    public boolean replicating() {
        return writer.replicating();
    }

    /** Contexts whose newest state may not be in the store. */
    public int behindContexts() {
        return writer.behind();
    }

    /**
     * Tells the recorder what the store holds already (the contexts just restored from it), so that unchanged ones
     * are not written again.
     */
    public void restored(Collection<ContextSnapshot> contexts) {
        Map<Integer, ContextSnapshot> byId = new LinkedHashMap<>();
        for (ContextSnapshot c : contexts) {
            byId.put(c.id(), c);
        }
        writer.restored(byId);
    }

    /**
     * Marks the store as not in step with this gateway (it could not be read at start-up): at the next catch-up
     * every context the store holds that this gateway does not have is deleted.
     */
    public void storeUnknown() {
        writer.storeUnknown("state.redis could not be read at start-up");
    }

    /** Records the context's new state; returns at once when it is unchanged or the recorder is behind. */
    public Outcome record(ContextSnapshot context) {
        return writer.record(context.id(), context);
    }

    /** Records that the context no longer exists. */
    public Outcome remove(int contextId) {
        return writer.remove(contextId);
    }

    /**
     * Writes a front end's expiring value on the writer thread, after everything submitted so far, without waiting
     * (docs/ha.md, "ng calls": the ng reply cache). Best effort: skipped while the recorder is behind, and a failure
     * is only counted (the catch-up does not rewrite it; it would soon expire anyway).
     */
    public void recordExpiring(String name, String value, long ttlMs) {
        writer.aside(() -> store.writeExpiring(name, value, ttlMs));
    }

    /**
     * Replaces a table on the writer thread without waiting (the gateway's RTCP sender counts, docs/ha.md); best
     * effort like {@link #recordExpiring}: the next sweep writes it again.
     */
    public void recordTable(String name, Map<String, String> fields) {
        Map<String, String> copy = Map.copyOf(fields);
        writer.aside(() -> store.replaceTable(name, copy));
    }

    /** The newest snapshot recorded for a context, or null. */
    public ContextSnapshot latest(int contextId) {
        return writer.latest(contextId);
    }

    /** Every context recorded and not removed. */
    public Collection<ContextSnapshot> latest() {
        return writer.latest();
    }

    /** Waits until everything submitted so far has run on the writer thread (tests, shutdown). */
    public void flush(Duration wait) throws InterruptedException, ExecutionException, TimeoutException {
        writer.flush(wait);
    }

    @Override
    public void close() {
        writer.close();
    }

    /** The call state store as the writer sees it: a context is written by itself, it carries its id. */
    private static final class ContextStore implements KeyedStore<Integer, ContextSnapshot> {
        private final CallStateStore store;

        ContextStore(CallStateStore store) {
            this.store = store;
        }

        @Override
        public void write(Integer id, ContextSnapshot context) {
            store.write(context);
        }

        @Override
        public void delete(Integer id) {
            store.delete(id);
        }

        @Override
        public Set<Integer> ids() {
            return store.ids();
        }

        @Override
        public void ping() {
            store.ping();
        }

        @Override
        public String describe() {
            return store.describe();
        }

        @Override
        public void close() {
            store.close();
        }
    }
}
