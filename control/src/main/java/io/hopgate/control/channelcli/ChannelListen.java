package io.hopgate.control.channelcli;

import io.hopgate.control.channel.ChannelSettings;
import io.hopgate.control.channel.MobileListener;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hopgate channel listen}: a party's data channel listener, registered with the call server's SIP registrar
 * under its AOR (docs/architecture.md section 3.9). Every message that arrives is printed as one line on
 * {@code out}; what happens (registered, moved, a channel opened) goes to {@code status}. The registration is renewed
 * at half of what the registrar granted; {@link #move} re-binds on a new port (the next of
 * {@code channel.move-hosts}) and re-REGISTERs from the new contact, which is what moves the senders' channels.
 * {@link #close} un-registers (Expires 0).
 *
 * <p>Threads: the channel's event loops only queue lines ({@link LineWriter}); renewals and timed moves run on one
 * {@code channel-register} thread; {@link #move} and the renewals are serialised on this object.
 */
final class ChannelListen implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelListen.class);
    private static final Duration BIND_WAIT = Duration.ofSeconds(10);

    private final ChannelOptions options;
    private final PrintStream status;
    private final LineWriter lines;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "channel-register");
        t.setDaemon(true);
        return t;
    });
    private MobileListener listener;
    private SipRegistration registration;
    private ScheduledFuture<?> renewal;
    private int moves;
    private boolean closed;

    ChannelListen(ChannelOptions options, OutputStream out, PrintStream status) {
        this.options = options;
        this.status = status;
        this.lines = new LineWriter(out);
    }

    /** Binds the channel and the SIP socket and registers; returns once the registrar said 200. */
    synchronized void start() throws IOException {
        lines.start();
        ChannelSettings settings = ChannelSettings.DEFAULTS.withReconnectDeadline(options.reconnectDeadline());
        try {
            listener = MobileListener.bind(options.aor(), options.listen(), settings, channel -> {
                String by = channel.peerName();
                timer.execute(() -> status.println("channel opened by " + by)); // stderr is no faster than stdout
                return lines::add;
            }).block(BIND_WAIT);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind channel.listen " + format(options.listen()) + ": "
                + e.getMessage(), e);
        }
        try {
            registration = new SipRegistration(options.sipListen(), options.registrar(), options.aor());
        } catch (IOException e) {
            throw new IllegalStateException("cannot bind channel.sip-listen " + format(options.sipListen()) + ": "
                + e.getMessage(), e);
        }
        int granted = register();
        status.println("registered " + options.aor() + ": channel at " + format(listener.address())
            + ", registrar " + format(options.registrar()) + ", expires " + granted + " s");
        long everyMs = options.moveEvery().toMillis();
        if (everyMs > 0) {
            timer.scheduleWithFixedDelay(this::moveOnTimer, everyMs, everyMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Moves the listener: binds a new port on the next move host, closes the old socket and its connections, then
     * re-REGISTERs the new contact. Returns the new address.
     */
    synchronized InetSocketAddress move() throws IOException {
        InetAddress host = options.moveHosts().get(++moves % options.moveHosts().size());
        InetSocketAddress from = listener.address();
        InetSocketAddress to = listener.rebind(new InetSocketAddress(host, 0)).block(BIND_WAIT);
        LOG.info("channel listener moved aor={} from={} to={}", options.aor(), from, to);
        register();
        status.println("moved " + options.aor() + " from " + format(from) + " to " + format(to) + " (re-REGISTERed)");
        return to;
    }

    /** Where the channel listens now. */
    synchronized InetSocketAddress address() {
        return listener.address();
    }

    /** REGISTERs answered 200 so far (the first, renewals and moves). */
    int registrations() {
        return registration.registrations();
    }

    private void moveOnTimer() {
        try {
            move();
        } catch (IOException | RuntimeException e) {
            status.println("move failed: " + e.getMessage());
            LOG.warn("channel listener move failed aor={}: {}", options.aor(), e.toString());
        }
    }

    private synchronized void renew() {
        if (closed) {
            return;
        }
        try {
            register();
        } catch (IOException | RuntimeException e) {
            // Retried soon: the binding outlives this attempt by half its lifetime.
            status.println("re-REGISTER failed, retrying: " + e.getMessage());
            renewal = timer.schedule(this::renew, 1, TimeUnit.SECONDS);
        }
    }

    /** REGISTERs the current address and schedules the renewal; returns the seconds granted. */
    private int register() throws IOException {
        InetSocketAddress at = listener.address();
        int granted = registration.register(at, options.expiresS(), ChannelOptions.REQUEST_TIMEOUT);
        if (renewal != null) {
            renewal.cancel(false);
        }
        long renewMs = Math.max(500, TimeUnit.SECONDS.toMillis(granted) / 2);
        renewal = timer.schedule(this::renew, renewMs, TimeUnit.MILLISECONDS);
        LOG.debug("channel registered aor={} at={} expires={}", options.aor(), at, granted);
        return granted;
    }

    /** Un-registers (Expires 0), stops listening and writes out every line already received. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        if (registration != null) {
            try {
                registration.unregister(ChannelOptions.REQUEST_TIMEOUT);
                status.println("unregistered " + options.aor());
            } catch (IOException e) {
                status.println("un-REGISTER failed (the binding expires by itself): " + e.getMessage());
            }
            registration.close();
        }
        if (listener != null) {
            listener.close();
        }
        lines.close();
    }

    static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
