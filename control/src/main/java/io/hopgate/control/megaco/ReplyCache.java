package io.hopgate.control.megaco;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The server role's answers by (peer, transaction id), bounded in entries and in bytes (docs/architecture.md,
 * section 5.2). A TransactionResponseAck costs what it releases, not what the cache holds: each peer's answers
 * are a sorted map, so an acknowledged range is one sub-map. Entries leave in arrival order (their lifetime is the
 * same for all, so the oldest also expires first); when a bound is reached the oldest finished answer is evicted and
 * counted. Thread-safe (one monitor; the event loop and the control thread use it).
 */
final class ReplyCache {
    /** A cached answer; {@code reply} is null while the request is queued or executing. */
    static final class Answer {
        final InetSocketAddress peer;
        final long id;
        final int version;
        volatile byte[] reply;
        long expiresAtNanos = Long.MAX_VALUE;

        Answer(InetSocketAddress peer, long id, int version) {
            this.peer = peer;
            this.id = id;
            this.version = version;
        }
    }

    private record Key(InetSocketAddress peer, long id) {
    }

    private final int maxEntries;
    private final long maxBytes;
    private final long ttlNanos;
    private final Runnable onEvicted;
    private final LinkedHashMap<Key, Answer> byAge = new LinkedHashMap<>();
    private final Map<InetSocketAddress, NavigableMap<Long, Answer>> byPeer = new HashMap<>();
    private long bytes;
    private long evictions;

    ReplyCache(int maxEntries, long maxBytes, long ttlMs, Runnable onEvicted) {
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
        this.ttlNanos = ttlMs * 1_000_000L;
        this.onEvicted = onEvicted;
    }

    /** The answer already held for the transaction, or null after inserting {@code fresh} for it. */
    synchronized Answer putIfAbsent(Answer fresh) {
        Key key = new Key(fresh.peer, fresh.id);
        Answer existing = byAge.get(key);
        if (existing != null) {
            return existing;
        }
        byAge.put(key, fresh);
        byPeer.computeIfAbsent(fresh.peer, p -> new TreeMap<>()).put(fresh.id, fresh);
        evictOverBounds();
        return null;
    }

    /** The request finished: its reply is kept for retransmissions until the TTL or an ack. */
    synchronized void complete(Answer answer, byte[] reply, long nowNanos) {
        if (byAge.get(new Key(answer.peer, answer.id)) != answer) {
            answer.reply = reply;   // acknowledged or evicted meanwhile: answered, not kept
            return;
        }
        answer.reply = reply;
        answer.expiresAtNanos = nowNanos + ttlNanos;
        bytes += reply.length;
        evictOverBounds();
    }

    /** Forgets a request that was never executed (e.g. the control queue was full), so a retransmission is fresh. */
    synchronized void forget(Answer answer) {
        if (byAge.get(new Key(answer.peer, answer.id)) == answer) {
            remove(answer);
        }
    }

    /** Releases the answers of {@code peer} with ids in {@code [first, last]}; returns how many. */
    synchronized int acknowledge(InetSocketAddress peer, long first, long last) {
        NavigableMap<Long, Answer> answers = byPeer.get(peer);
        if (answers == null) {
            return 0;
        }
        NavigableMap<Long, Answer> range = answers.subMap(first, true, last, true);
        int released = 0;
        for (Iterator<Answer> it = range.values().iterator(); it.hasNext(); ) {
            Answer a = it.next();
            if (a.reply == null) {
                continue;   // still running: the ack cannot be for a reply not yet sent
            }
            it.remove();
            byAge.remove(new Key(a.peer, a.id));
            bytes -= a.reply.length;
            released++;
        }
        if (answers.isEmpty()) {
            byPeer.remove(peer);
        }
        return released;
    }

    /** Drops finished answers whose TTL has passed (oldest first; stops at the first one still alive). */
    synchronized void expire(long nowNanos) {
        Iterator<Answer> it = byAge.values().iterator();
        while (it.hasNext()) {
            Answer a = it.next();
            if (a.reply == null) {
                continue;
            }
            if (nowNanos - a.expiresAtNanos < 0) {
                return;
            }
            it.remove();
            removeFromPeer(a);
            bytes -= a.reply.length;
        }
    }

    private void evictOverBounds() {
        Iterator<Answer> it = byAge.values().iterator();
        while ((byAge.size() > maxEntries || bytes > maxBytes) && it.hasNext()) {
            Answer a = it.next();
            if (a.reply == null) {
                continue;   // queued or running: its reply is still owed
            }
            it.remove();
            removeFromPeer(a);
            bytes -= a.reply.length;
            evictions++;
            onEvicted.run();
        }
    }

    private void remove(Answer a) {
        byAge.remove(new Key(a.peer, a.id));
        removeFromPeer(a);
        if (a.reply != null) {
            bytes -= a.reply.length;
        }
    }

    private void removeFromPeer(Answer a) {
        NavigableMap<Long, Answer> answers = byPeer.get(a.peer);
        if (answers != null) {
            answers.remove(a.id);
            if (answers.isEmpty()) {
                byPeer.remove(a.peer);
            }
        }
    }

    synchronized int size() {
        return byAge.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long evictions() {
        return evictions;
    }
}
