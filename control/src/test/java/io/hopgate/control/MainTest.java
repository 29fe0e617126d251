package io.hopgate.control;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;
import io.hopgate.control.config.ConfigKey;
import io.hopgate.control.service.Service;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final AtomicReference<Config> seen = new AtomicReference<>();
    private final AtomicInteger closed = new AtomicInteger();

    @TempDir
    Path dir;

    @AfterEach
    void restore() {
        for (String name : Services.SUBCOMMANDS) {
            Services.unregister(name);
        }
        Main.applyLogLevel("WARN");
    }

    private int run(String... args) {
        return Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** A service that records its config and finishes at once with the code given. */
    private void registerFinishing(String name, int exitCode) {
        Services.register(name, config -> {
            seen.set(config);
            return new Service() {
                @Override
                public void start() {
                }

                @Override
                public CompletionStage<Integer> finished() {
                    return CompletableFuture.completedFuture(exitCode);
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
        });
    }

    @Test
    void shouldExitWithUsageCodeAndNameTheKeyWhenAValueIsBad() {
        int code = run("gateway", "--set", "media.port-min=abc");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("hopgate gateway: media.port-min=abc: must be an integer")
            .hasLineCount(1)
            .doesNotContain("Exception");
    }

    @Test
    void shouldExitWithUsageCodeForAnUnknownKey() {
        int code = run("callserver", "--set", "media.prot-min=30000");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'media.prot-min'").contains("did you mean 'media.port-min'?")
            .hasLineCount(1);
    }

    @Test
    void shouldListOptionsAndKeysOnHelp() {
        int code = run("gateway", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("--config=FILE", "--set=KEY=VALUE", "--help", "media.port-min",
            "ng.listen", "default 127.0.0.1:2944").doesNotContain("callserver.gateways");
    }

    @Test
    void shouldListLoadOptionsOnHelp() {
        int code = run("load", "--help");

        assertThat(code).isZero();
        assertThat(out.toString()).contains("--calls=N", "--pps=R", "--seconds=S");
    }

    @Test
    void shouldListSubcommandsOnTopLevelHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("gateway", "callserver", "demo", "load");
    }

    @Test
    void shouldExitWithUsageCodeForUnknownOptionOrMissingSubcommand() {
        assertThat(run("gateway", "--bogus")).isEqualTo(2);
        assertThat(err.toString()).contains("--bogus").contains("--help");
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).contains("missing subcommand");
    }

    @Test
    void shouldSayWhenASubcommandIsNotInThisBuild() {
        // A build without the demo: take its factory out for this test only.
        var demo = Services.unregister("demo");
        try {
            int code = run("demo", "--set", "log.level=WARN");

            assertThat(code).as(err.toString()).isEqualTo(2);
            assertThat(err.toString().trim())
                .isEqualTo("hopgate demo: subcommand 'demo' is not available in this build");
        } finally {
            if (demo != null) {
                Services.register("demo", demo);
            }
        }
    }

    @Test
    void shouldLoadNestedYamlAndLetSetOverrideIt() throws IOException {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, """
            media:
              port-min: 40000
              port-max: 49999
            control:
              allowed-peers:
                - 127.0.0.1
                - 10.0.0.7
            """);
        registerFinishing("gateway", 0);

        int code = run("gateway", "--config", file.toString(), "--set", "media.port-max=41999",
            "--set", "callserver.gateways=G1=127.0.0.1:2944,G2=127.0.0.1:2954", "--set", "log.level=WARN");

        assertThat(code).as(err.toString()).isZero();
        Config config = seen.get();
        assertThat(config.integer(ConfigKey.MEDIA_PORT_MIN)).isEqualTo(40_000);
        assertThat(config.integer(ConfigKey.MEDIA_PORT_MAX)).isEqualTo(41_999);
        assertThat(config.list(ConfigKey.CONTROL_ALLOWED_PEERS)).containsExactly("127.0.0.1", "10.0.0.7");
        assertThat(config.gateways()).containsOnlyKeys("G1", "G2");
        assertThat(closed).hasValue(1);
    }

    @Test
    void shouldPutLoadOptionsIntoTheConfigAfterSet() {
        registerFinishing("load", 0);

        int code = run("load", "--set", "load.calls=5", "--calls", "7", "--pps", "25", "--seconds", "3",
            "--set", "log.level=WARN");

        assertThat(code).as(err.toString()).isZero();
        assertThat(seen.get().load().calls()).isEqualTo(7);
        assertThat(seen.get().load().ppsPerStream()).isEqualTo(25);
        assertThat(seen.get().load().seconds()).isEqualTo(3);
    }

    @Test
    void shouldValidateLoadOptionsThroughTheTable() {
        registerFinishing("load", 0);

        assertThat(run("load", "--calls", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("load.calls=0: must be between 1 and 100000");
    }

    @Test
    void shouldSetRootLogLevelFromConfig() {
        registerFinishing("gateway", 0);

        run("gateway", "--set", "log.level=ERROR");

        ch.qos.logback.classic.Logger root =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        assertThat(root.getLevel()).isEqualTo(Level.ERROR);
    }

    @Test
    void shouldReturnTheServicesOwnExitCode() {
        registerFinishing("load", 3);

        assertThat(run("load", "--set", "log.level=WARN")).isEqualTo(3);
        assertThat(closed).hasValue(1);
    }

    @Test
    void shouldExitWithStartFailureCodeNamingTheAddress() {
        Services.register("gateway", config -> new Service() {
            @Override
            public void start() {
                throw new IllegalStateException("cannot bind control.listen " + config.text(ConfigKey.CONTROL_LISTEN),
                    new BindException("Address already in use"));
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        });

        int code = run("gateway", "--set", "log.level=WARN");

        assertThat(code).as("an address in use is a configuration error").isEqualTo(2);
        assertThat(err.toString().trim()).isEqualTo("hopgate gateway: address in use: control.listen=127.0.0.1:2944 "
            + "is already bound by another process; stop that process or choose another address "
            + "(--set control.listen=HOST:PORT)");
        assertThat(closed).as("a half-started service is closed").hasValue(1);
    }

    @Test
    void shouldExitTwoNamingControlListenWhenTheRealGatewayFindsItsPortTaken() throws Exception {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(
                new java.net.InetSocketAddress("127.0.0.1", 0))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Services.register("gateway", io.hopgate.control.gateway.GatewayService::new);
            int code = run("gateway", "--set", "log.level=WARN", "--set", "control.listen=" + address,
                "--set", "admin.listen=", "--set", "media.port-min=21700", "--set", "media.port-max=21799");

            assertThat(code).as(err.toString()).isEqualTo(2);
            assertThat(err.toString()).contains("address in use: control.listen=" + address);
        }
    }

    @Test
    void shouldExitTwoNamingAdminListenWhenTheRealGatewayFindsItsPortTaken() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            Services.register("gateway", io.hopgate.control.gateway.GatewayService::new);
            int code = run("gateway", "--set", "log.level=WARN", "--set", "control.listen=127.0.0.1:0",
                "--set", "admin.listen=" + address, "--set", "media.port-min=21700", "--set", "media.port-max=21799");

            assertThat(code).as(err.toString()).isEqualTo(2);
            assertThat(err.toString()).contains("address in use: admin.listen=" + address);
        }
    }

    @Test
    void shouldPrintTheVersion() {
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("hopgate ").contains("Java ");
    }

    @Test
    void shouldListOnlyTheKeysASubcommandReadsAndSayWhereTheRestAre() {
        assertThat(run("load", "--help")).isZero();
        String help = out.toString();
        assertThat(help).contains("load.calls", "load.gateway", "log.level", "other", "config/hopgate.yaml")
            .doesNotContain("media.port-min", "callserver.gateways", "ng.listen");

        out.getBuffer().setLength(0);
        assertThat(run("callserver", "--help")).isZero();
        assertThat(out.toString()).contains("callserver.gateways").doesNotContain("load.calls", "media.port-min");
    }

    @Test
    void shouldExitWithUsageCodeWhenStartRejectsTheConfig() {
        Services.register("callserver", config -> new Service() {
            @Override
            public void start() {
                throw new ConfigException("callserver.gateways: at least one gateway is needed");
            }

            @Override
            public void close() {
            }
        });

        assertThat(run("callserver", "--set", "log.level=WARN")).isEqualTo(2);
        assertThat(err.toString().trim())
            .isEqualTo("hopgate callserver: callserver.gateways: at least one gateway is needed");
    }
}
