package io.hopgate.control.channelcli;

import io.hopgate.control.config.Config;
import io.hopgate.control.service.Service;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hopgate channel listen|send}: the data channel from a shell (docs/architecture.md section 3.9). The listen
 * role runs until SIGTERM or SIGINT, which it answers by un-registering and exiting 0 (not the JVM's 143: stopping
 * a listener is its normal end); the send role finishes when its input ends.
 */
public final class ChannelService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelService.class);

    private final ChannelOptions options;
    private final CompletableFuture<Integer> stopped = new CompletableFuture<>();
    private ChannelListen listen;
    private ChannelSend send;

    public ChannelService(Config config) {
        this.options = ChannelOptions.from(config);
    }

    @Override
    public void start() throws Exception {
        if (ChannelOptions.LISTEN.equals(options.role())) {
            listen = new ChannelListen(options, System.out, System.err);
            onStopSignal("TERM");
            onStopSignal("INT");
            listen.start();
        } else {
            send = new ChannelSend(options, System.in, System.err);
            send.start();
        }
    }

    /**
     * Ends the run with 0 on the signal instead of the JVM's default (run the shutdown hooks, exit 128 + signal);
     * Main then closes the service, which un-registers. sun.misc.Signal is the JDK's only way to catch a signal.
     */
    private void onStopSignal(String name) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> stopped.complete(0));
        } catch (IllegalArgumentException unsupported) {
            LOG.debug("signal {} cannot be caught here; the shutdown hook still un-registers", name);
        }
    }

    @Override
    public CompletionStage<Integer> finished() {
        return send != null ? send.finished() : stopped;
    }

    @Override
    public void close() {
        if (listen != null) {
            listen.close();
        }
        if (send != null) {
            send.close();
        }
    }
}
