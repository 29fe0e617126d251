package io.hopgate.control.channelcli;

import io.hopgate.control.channel.ChannelSettings;
import io.hopgate.control.channel.HttpLocator;
import io.hopgate.control.channel.MobileChannel;
import io.hopgate.control.channel.MobileChannelException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hopgate channel send}: opens a data channel to a party, found through the call server's HTTP API
 * ({@link HttpLocator}), and sends each line of {@code in} as one message. The channel follows the party when it
 * moves (a new REGISTER) and resends what the old connection lost ({@link MobileChannel}, docs/architecture.md
 * section 3.9). At the end of the input it waits until the party has acknowledged every line, closes, and
 * {@link #finished} completes with 0; a channel that fails (no resume within channel.reconnect-deadline-ms)
 * completes it with 1.
 *
 * <p>Threads: one {@code channel-stdin} thread reads and sends; the channel runs on its own event loops.
 */
final class ChannelSend implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelSend.class);
    /** The channel has no "writable again" signal: a full send buffer or the last acknowledgements are polled. */
    private static final long POLL_MS = 5;

    private final ChannelOptions options;
    private final InputStream in;
    private final PrintStream status;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private HttpLocator locator;
    private volatile MobileChannel channel;
    private long sent;

    ChannelSend(ChannelOptions options, InputStream in, PrintStream status) {
        this.options = options;
        this.in = in;
        this.status = status;
    }

    /**
     * Asks the call server where the party is and opens the channel; then starts sending.
     *
     * @throws IllegalStateException with the call server's reason when the party has no channel or SIP is off,
     *                               or when the channel cannot be opened
     */
    void start() throws IOException, InterruptedException {
        locator = new HttpLocator(options.callServer(), options.poll(), ChannelOptions.REQUEST_TIMEOUT);
        ChannelSettings settings = ChannelSettings.DEFAULTS.withReconnectDeadline(options.reconnectDeadline());
        String local = "send-" + ProcessHandle.current().pid() + "@" + ChannelOptions.DEFAULT_DOMAIN;
        long deadline = System.nanoTime() + options.reconnectDeadline().toNanos();
        // The first connection is not resumed by the channel: a party that moves between the lookup and the connect
        // refuses it, so the opening is tried again (at the address asked for anew) until the deadline.
        for (long backoffMs = 50; channel == null; backoffMs = Math.min(backoffMs * 2, 1_000)) {
            HttpLocator.Answer answer = locator.locate(options.aor());
            if (answer.address().isEmpty()) {
                throw new IllegalStateException("call server " + options.callServer() + " answered "
                    + answer.status() + ": " + answer.error());
            }
            try {
                channel = MobileChannel.open(local, options.aor(), locator, settings, message -> { })
                    .block(settings.connectTimeout().plus(settings.handshakeTimeout()).plusSeconds(1));
            } catch (RuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException(e.getMessage() + " (tried for "
                        + options.reconnectDeadline().toMillis() + " ms, channel.reconnect-deadline-ms)", e);
                }
                LOG.info("channel open failed aor={}, trying again in {} ms: {}", options.aor(), backoffMs,
                    e.getMessage());
                TimeUnit.MILLISECONDS.sleep(backoffMs);
            }
        }
        status.println("channel open to " + options.aor() + " at " + ChannelListen.format(channel.remoteAddress())
            + "; each line of input is one message");
        channel.onClose().subscribe(done -> { }, error -> fail(error.getMessage()),
            () -> fail("the channel was closed by " + options.aor()));
        Thread reader = new Thread(this::pump, "channel-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    /** 0 when every line was acknowledged, 1 when the channel failed. */
    CompletableFuture<Integer> finished() {
        return finished;
    }

    /** The open channel (null before {@link #start}). */
    MobileChannel channel() {
        return channel;
    }

    /** Lines sent so far. */
    synchronized long sent() {
        return sent;
    }

    private void pump() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null && !finished.isDone(); ) {
                send(line.getBytes(StandardCharsets.UTF_8));
            }
            awaitAcknowledged();
        } catch (IOException e) {
            fail("cannot read input: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (MobileChannelException e) {
            fail(e.getMessage());
        }
    }

    private void send(byte[] line) throws InterruptedException {
        while (true) {
            try {
                channel.send(line);
                synchronized (this) {
                    sent++;
                }
                return;
            } catch (MobileChannelException e) {
                if (e.reason() != MobileChannelException.Reason.BUFFER_FULL) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            } catch (IllegalArgumentException tooLong) {
                status.println("line of " + line.length + " bytes not sent: " + tooLong.getMessage());
                return;
            }
        }
    }

    private void awaitAcknowledged() throws InterruptedException {
        long deadline = System.nanoTime() + options.reconnectDeadline().toNanos();
        while (channel.unackedMessages() > 0 && !finished.isDone()) {
            if (System.nanoTime() - deadline > 0) {
                fail(channel.unackedMessages() + " lines not acknowledged by " + options.aor() + " within "
                    + options.reconnectDeadline().toMillis() + " ms");
                return;
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
        status.println("sent " + sent() + " lines, all acknowledged");
        finished.complete(0);
    }

    private void fail(String why) {
        if (!finished.isDone()) {
            status.println("channel to " + options.aor() + " failed: " + why);
            LOG.warn("channel send failed aor={}: {}", options.aor(), why);
            finished.complete(1);
        }
    }

    @Override
    public void close() {
        MobileChannel c = channel;
        if (c != null) {
            c.close();
        }
        if (locator != null) {
            locator.close();
        }
    }
}
