package io.hopgate.control.service;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a subcommand runs: built by {@code io.hopgate.control.Services} from a validated config, started once by
 * {@code Main} on the main thread, closed once (by the shutdown hook on SIGTERM, or by Main when
 * the service finishes on its own).
 */
public interface Service extends AutoCloseable {

    /**
     * Binds and starts; returns once the service is serving and has logged where it listens.
     * A failure should name what failed ("cannot bind control.listen 127.0.0.1:2944: Address already
     * in use"); Main prints the message and exits with 1. A {@code ConfigException} exits with 2.
     */
    void start() throws Exception;

    /**
     * Completes when the service ends by itself, with the process exit code (a load run that has
     * done its seconds, a demo that has played). Daemons keep the default, which never completes:
     * they run until the process is told to stop.
     */
    default CompletionStage<Integer> finished() {
        return new CompletableFuture<>();
    }

    /** Stops and releases everything; called once, possibly from the shutdown hook thread. */
    @Override
    void close();
}
