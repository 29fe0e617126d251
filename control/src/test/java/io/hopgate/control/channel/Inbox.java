package io.hopgate.control.channel;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test's message handler: records the first int of every message, in arrival order, and waits for a count. */
public final class Inbox implements MessageHandler {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final List<Integer> values = new ArrayList<>();

    @Override
    public synchronized void onMessage(byte[] message) {
        values.add(ByteBuffer.wrap(message).getInt());
        notifyAll();
    }

    public synchronized int count() {
        return values.size();
    }

    public synchronized List<Integer> values() {
        return List.copyOf(values);
    }

    /** Waits up to 10 s until {@code n} messages have arrived. */
    public synchronized void awaitCount(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (values.size() < n) {
            long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0) {
                throw new AssertionError("timed out with " + values.size() + " of " + n + " messages");
            }
            wait(leftMs);
        }
    }
}
