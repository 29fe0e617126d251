package io.hopgate.control.channelcli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes each received message as a line on its own thread, so the channel's event loop never waits for a slow or
 * blocked stdout (a pipe into a pager, a terminal on hold): the loop only queues. The queue is not bounded, since a
 * message dropped here would break the channel's once-each promise; a stdout that never drains grows it.
 */
final class LineWriter implements AutoCloseable {
    private static final byte[] END = new byte[0];

    private final LinkedBlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();
    private final OutputStream out;
    private final Thread thread;

    LineWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out);
        this.thread = new Thread(this::run, "channel-stdout");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Queues one message; never blocks. */
    void add(byte[] message) {
        lines.add(message);
    }

    private void run() {
        try {
            while (true) {
                byte[] line = lines.take();
                if (line == END) {
                    break;
                }
                out.write(line);
                out.write('\n');
                if (lines.isEmpty()) {
                    out.flush(); // a burst is written in one go, a lone line at once
                }
            }
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // stdout is gone (the reader of the pipe quit): nothing left to show the lines to
        }
    }

    /** Writes what is queued, then stops (waits at most 5 s for a stuck stdout). */
    @Override
    public void close() {
        lines.add(END);
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
