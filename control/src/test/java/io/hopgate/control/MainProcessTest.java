package io.hopgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.service.Service;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** Boots Main in a child JVM and stops it with SIGTERM, as systemd does. */
class MainProcessTest {

    /** The child's entry point: a daemon-like service behind the real Main. */
    public static final class Daemon {
        public static void main(String[] args) {
            Services.register("gateway", config -> new Service() {
                @Override
                public void start() {
                    org.slf4j.LoggerFactory.getLogger("daemon").info("listening address=test");
                }

                @Override
                public void close() {
                    org.slf4j.LoggerFactory.getLogger("daemon").info("closing");
                }
            });
            Main.main(args);
        }
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void shouldCloseTheServiceAndLogStoppedOnSigterm() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            Daemon.class.getName(), "gateway", "--set", "log.level=INFO"))
            .redirectErrorStream(true)
            .start();
        StringBuilder output = new StringBuilder();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.contains("started subcommand=gateway")) {
                        started.complete(null);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the stream closes with the process
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        try {
            started.get(30, TimeUnit.SECONDS);

            // SIGTERM through the handle: Process.destroy() would also close our end of the child's output.
            assertThat(process.toHandle().destroy()).isTrue();

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child exits after SIGTERM").isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(5));
            assertThat(process.exitValue()).isEqualTo(143);
            synchronized (output) {
                assertThat(output.toString()).contains("closing").contains("stopped subcommand=gateway");
            }
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @DisabledOnOs(OS.WINDOWS)
    void shouldExitWithCode2AndOneLineOnStderrForABadValue() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
            Main.class.getName(), "gateway", "--set", "media.port-min=abc"))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        try {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.exitValue()).isEqualTo(2);
            assertThat(stderr.trim()).startsWith("hopgate gateway: media.port-min=abc").doesNotContain("\n");
        } finally {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
