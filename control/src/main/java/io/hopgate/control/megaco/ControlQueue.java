package io.hopgate.control.megaco;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The control thread's work, bounded and fair between peers (docs/architecture.md, section 4). Each peer address has
 * its own FIFO of at most {@code perPeer} tasks and the thread serves the peers round-robin, so a peer flooding the
 * gateway delays another peer's fresh request by at most one task per busy peer, and the backlog it leaves behind is
 * at most {@code perPeer} tasks. A task that does not fit is refused ({@link #offer} returns false) for the caller to
 * count; nothing waits unbounded. Tasks without a peer (timers, client requests) share one queue of their own.
 */
final class ControlQueue implements AutoCloseable {
    /** The queue of tasks that come from no peer. */
    private static final Object LOCAL = new Object();

    private record Task(Runnable run, long bytes) {
    }

    private final int perPeer;
    private final int maxQueued;
    private final long maxBytes;
    private final Map<Object, ArrayDeque<Task>> queues = new HashMap<>();
    /** Peers with work, in serving order; a peer appears once. */
    private final ArrayDeque<Object> ready = new ArrayDeque<>();
    private final Thread thread;
    private boolean closed;
    private int queued;
    private long queuedBytes;

    /**
     * @param perPeer   tasks one peer address may have waiting
     * @param maxQueued tasks all peers together may have waiting
     * @param maxBytes  bytes (of datagrams) all waiting tasks may hold
     */
    ControlQueue(String threadName, int perPeer, int maxQueued, long maxBytes) {
        this.perPeer = perPeer;
        this.maxQueued = maxQueued;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues {@code task}, holding {@code bytes}, behind {@code peer}'s earlier tasks (peer null: local work, never
     * refused); false when the peer's queue or the whole queue is full.
     */
    synchronized boolean offer(java.net.InetAddress peer, long bytes, Runnable task) {
        if (closed) {
            return false;
        }
        Object key = peer == null ? LOCAL : peer;
        ArrayDeque<Task> q = queues.get(key);
        if (peer != null && ((q != null && q.size() >= perPeer) || queued >= maxQueued
                || queuedBytes + bytes > maxBytes)) {
            return false;
        }
        if (q == null) {
            q = new ArrayDeque<>();
            queues.put(key, q);
        }
        if (q.isEmpty()) {
            ready.addLast(key);
        }
        q.addLast(new Task(task, bytes));
        queued++;
        queuedBytes += bytes;
        notifyAll();
        return true;
    }

    /** Tasks waiting (for tests and metrics). */
    synchronized int queued() {
        return queued;
    }

    boolean onControlThread() {
        return Thread.currentThread() == thread;
    }

    private synchronized Runnable take() throws InterruptedException {
        while (ready.isEmpty()) {
            if (closed) {
                return null;
            }
            wait();
        }
        Object peer = ready.pollFirst();
        ArrayDeque<Task> q = queues.get(peer);
        Task task = q.pollFirst();
        queued--;
        queuedBytes -= task.bytes();
        if (q.isEmpty()) {
            queues.remove(peer);
        } else {
            ready.addLast(peer);   // round-robin: the next task of this peer waits for the others' turns
        }
        return task.run();
    }

    private void run() {
        try {
            Runnable task;
            while ((task = take()) != null) {
                try {
                    task.run();
                } catch (RuntimeException | LinkageError e) {
                    // LinkageError: a class that could not be loaded (e.g. no descriptor left to read the jar) fails
                    // this message only; the thread lives on and the peer's retransmission gets another try.
                    org.slf4j.LoggerFactory.getLogger(ControlQueue.class).error("control task failed", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs what is queued, then stops; waits at most 3 s for that. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(3));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
