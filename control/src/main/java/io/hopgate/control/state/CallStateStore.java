package io.hopgate.control.state;

import java.util.List;

/**
 * Where contexts are kept between gateway runs. Every method blocks the calling thread for at most the store's own
 * command timeout and throws {@link StateStoreException} when the store cannot be reached or answers an error.
 *
 * <p>Threads: called by one thread at a time (the recorder's writer thread, or start-up before it runs).
 */
public interface CallStateStore extends AutoCloseable {

    /** Writes (or replaces) one context. */
    void write(ContextSnapshot context);

    /** Forgets one context; forgetting an unknown one is not an error. */
    void delete(int contextId);

    /** Every context kept for this gateway, in id order. */
    List<ContextSnapshot> loadAll();

    /** The ids of every context kept for this gateway. */
    java.util.Set<Integer> ids();

    /**
     * Replaces the id epoch kept for this gateway with {@code epoch} and returns the one kept before, or -1 when
     * none was kept (docs/ha.md, "Ids").
     */
    int swapEpoch(int epoch);

    /**
     * Writes a front end's value under {@code name} (beside the contexts, under this gateway's prefix) that the
     * store forgets by itself after {@code ttlMs} (docs/ha.md, "ng calls": the ng reply cache).
     */
    void writeExpiring(String name, String value, long ttlMs);

    /** Every value {@link #writeExpiring} wrote whose name starts with {@code namePrefix}, while it is kept. */
    java.util.Map<String, String> loadExpiring(String namePrefix);

    /**
     * Replaces the table {@code name} (field to value, beside the contexts, under this gateway's prefix) with
     * {@code fields}; an empty map deletes it (docs/ha.md: the RTCP sender counts of every termination).
     */
    void replaceTable(String name, java.util.Map<String, String> fields);

    /** The table {@code name}, empty when there is none. */
    java.util.Map<String, String> loadTable(String name);

    /** Checks that the store answers. */
    void ping();

    /** Where the store is, for log lines (no credentials). */
    String describe();

    @Override
    void close();
}
