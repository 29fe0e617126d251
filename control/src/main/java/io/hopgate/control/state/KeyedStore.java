package io.hopgate.control.state;

import java.util.Set;

/**
 * What {@link ReplicationWriter} needs of a store: one value per id, written, deleted and listed. The call server's
 * {@link RecordStore} is one as it is; {@link StateRecorder} adapts its {@link CallStateStore} (whose contexts carry
 * their own id). Every method blocks for at most the store's own command timeout and throws
 * {@link StateStoreException} when the store cannot be reached or answers an error.
 *
 * <p>Threads: called by one thread at a time (the writer thread, or start-up before it runs).
 *
 * @param <K> the id type
 * @param <V> the value type
 */
interface KeyedStore<K, V> extends AutoCloseable {

    /** Writes (or replaces) the value of {@code id}. */
    void write(K id, V value);

    /** Forgets one id; forgetting an unknown one is not an error. */
    void delete(K id);

    /** Every id kept. */
    Set<K> ids();

    /** Checks that the store answers. */
    void ping();

    /** Where the store is, for log lines (no credentials). */
    String describe();

    @Override
    void close();
}
