package io.hopgate.control.load;

import io.hopgate.control.service.Service;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.LoadSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code hopgate load}: sets up {@code load.calls} calls over H.248 on the gateway at {@code load.gateway}, sends
 * {@code load.pps} packets/s per stream for {@code load.seconds}, prints progress to stderr and the summary line to
 * stdout, and removes the calls. Exit code 0 when the run completed with no misrouted packet, else 1.
 */
public final class LoadService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(LoadService.class);

    private final LoadSettings settings;
    private final int portBase;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private Thread runner;

    public LoadService(Config config) {
        this.settings = config.load();
        this.portBase = config.integer(io.hopgate.control.config.ConfigKey.LOAD_PORT_BASE);
    }

    @Override
    public void start() {
        int totalPps = settings.ppsPerStream() * settings.calls() * 2;
        LoadOptions options;
        try {
            options = new LoadOptions(settings.calls(), totalPps, settings.seconds(), 1, portBase,
                LoadOptions.DEFAULT_DRAIN_MS, true);
        } catch (IllegalArgumentException e) {
            throw new io.hopgate.control.config.ConfigException("load.port-base: " + e.getMessage());
        }
        runner = new Thread(() -> {
            H248CallSetup setup = new H248CallSetup(settings.gateway(), 32);
            try {
                LoadReport report = LoadGenerator.run(options, setup);
                LOG.info("load done calls={} setup_ms={}", settings.calls(), setup.setupMillis());
                System.out.println(report.toKeyValue() + " setup_ms=" + setup.setupMillis());
                finished.complete(report.misrouted() == 0 ? 0 : 1);
            } catch (Exception e) {
                System.err.println("load failed: " + e.getMessage());
                finished.complete(1);
            }
        }, "hopgate-load");
        LOG.info("load starting gateway={} calls={} pps-per-stream={} seconds={}", settings.gateway(),
            settings.calls(), settings.ppsPerStream(), settings.seconds());
        runner.start();
    }

    @Override
    public CompletionStage<Integer> finished() {
        return finished;
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.interrupt();
        }
    }
}
