package io.hopgate.control.ng;

import java.util.Map;

/**
 * Where the ng front end keeps the replies to the commands that change calls ({@code offer}, {@code answer},
 * {@code delete}, {@code move}) beside the call state, so that a command the proxy retransmits across a gateway
 * restart gets the reply it was given before and is not executed again (docs/ha.md, "ng calls"). Best effort: a
 * reply is written after the call's state and without delaying the reply; one not written is not retried.
 */
public interface NgReplyStore {

    /** Keeps {@code datagram}, the reply sent at wall-clock {@code atMs} for {@code key}, for {@code ttlMs}. */
    void save(String key, byte[] datagram, long atMs, long ttlMs);

    /** The replies still kept, by key (read once, at start-up). */
    Map<String, Stored> load();

    /** One kept reply: the datagram as sent and the wall-clock time (epoch ms) it was sent. */
    record Stored(byte[] datagram, long atMs) {
    }
}
