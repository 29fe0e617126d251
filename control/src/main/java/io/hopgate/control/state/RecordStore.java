package io.hopgate.control.state;

import java.util.Map;
import java.util.Set;

/**
 * Where a front end keeps its own typed records between runs (the call server's calls, docs/ha.md "Call server"),
 * one per id. Every method blocks the calling thread for at most the store's own command timeout and throws
 * {@link StateStoreException} when the store cannot be reached or answers an error.
 *
 * <p>Threads: called by one thread at a time (the replicator's writer thread, or start-up before it runs).
 *
 * @param <T> the record type, serialised as JSON
 */
public interface RecordStore<T> extends KeyedStore<String, T> {

    /** Writes (or replaces) the record of {@code id}. */
    @Override
    void write(String id, T value);

    /** Forgets one record; forgetting an unknown one is not an error. */
    @Override
    void delete(String id);

    /** Every record kept, by id in id order; unreadable ones are logged and left out. */
    Map<String, T> loadAll();

    /** The ids of every record kept. */
    @Override
    Set<String> ids();

    /** Checks that the store answers. */
    @Override
    void ping();

    /** Where the store is, for log lines (no credentials). */
    @Override
    String describe();

    @Override
    void close();
}
