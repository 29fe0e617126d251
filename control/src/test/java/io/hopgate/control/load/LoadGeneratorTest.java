package io.hopgate.control.load;

import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadGeneratorTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryPacketToThePeerLegThroughAnInProcessMediaPlane() throws Exception {
        LoadOptions options = new LoadOptions(10, 1000, 1, 0).withDrainMs(500);

        LoadReport report = LoadGenerator.run(options,
            InProcessCallSetup.start(MediaPlaneConfig.loopback(25_000, 25_199)));

        assertThat(report.calls()).isEqualTo(10);
        assertThat(report.streams()).isEqualTo(20);
        assertThat(report.sent()).isBetween(900L, 1000L);
        assertThat(report.delivered()).isEqualTo(report.sent() - report.lost());
        assertThat(report.lossPercent()).isLessThanOrEqualTo(1.0);
        assertThat(report.misrouted()).isZero();
        assertThat(report.invalid()).isZero();
        assertThat(report.duplicates()).isZero();
        assertThat(report.p50Nanos()).isPositive();
        assertThat(report.maxNanos()).isGreaterThanOrEqualTo(report.p99Nanos());
        assertThat(report.toKeyValue()).contains("sent=" + report.sent(), "misrouted=0");
        // The CPU sample must be taken while the run is still measured, never left at -1 (no sample).
        assertThat(report.processCpuPercent()).isGreaterThanOrEqualTo(0.0);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCountPacketsOfTheWrongCallAsMisrouted() throws Exception {
        try (MediaPlane plane = MediaPlane.start(MediaPlaneConfig.loopback(25_200, 25_399))) {
            InProcessCallSetup inProcess = new InProcessCallSetup(plane);
            // Terminations get crossed remotes (call 0: legs 0 and 3, call 1: legs 2 and 1), so leg 0's packets
            // come out at leg 3 and leg 2's at leg 1: the other call's sockets. Leg 3 sends to call 0's B relay,
            // which reflects to leg 0 (misrouted too); leg 1 sends to a relay that does not accept it (lost).
            CallSetup crossed = new CallSetup() {
                @Override
                public List<CallLegs> setup(int calls, List<InetSocketAddress> legs) throws Exception {
                    List<InetSocketAddress> swapped = List.of(legs.get(0), legs.get(3), legs.get(2), legs.get(1));
                    List<CallLegs> relays = inProcess.setup(calls, swapped);
                    return List.of(relays.get(0), new CallLegs(relays.get(1).relayA(), relays.get(0).relayB()));
                }

                @Override
                public void teardown() throws Exception {
                    inProcess.teardown();
                }
            };

            LoadReport report = LoadGenerator.run(new LoadOptions(2, 400, 1, 0).withDrainMs(300).withProgress(false),
                crossed);

            assertThat(report.misrouted()).isPositive();
            assertThat(report.lossPercent()).isGreaterThan(0.0);
            assertThat(plane.contexts()).isEmpty();
        }
    }

    @Test
    void shouldRejectOptionsOutsideTheirRangeNamingTheValue() {
        assertThatThrownBy(() -> new LoadOptions(0, 1000, 1, 0)).hasMessageContaining("calls=0");
        assertThatThrownBy(() -> new LoadOptions(1, 1000, 1, 0).withBasePort(65535))
            .hasMessageContaining("base-port=65535");
    }

    @Test
    void shouldRefuseALoadPortBaseThatDoesNotFitNamingTheKey() {
        LoadService service = new LoadService(io.hopgate.control.config.Config.load(null,
            java.util.List.of("load.port-base=65500", "load.calls=100")));
        org.assertj.core.api.Assertions.assertThatThrownBy(service::start)
            .isInstanceOf(io.hopgate.control.config.ConfigException.class)
            .hasMessageContaining("load.port-base").hasMessageContaining("65500");
    }
}
