package io.hopgate.control.load;

import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadGeneratorTest {
    /** Netty leak reports of the relay, collected instead of logged (media-plane's test jar is not shared yet). */
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        LEAKS.add(resourceType + " " + records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        LEAKS.add(resourceType);
                    }
                };
            }
        });
    }

    @AfterAll
    static void shouldNotLeakNettyBuffers() {
        // A leaked buffer is reported once its tracker was collected and a later allocation polls the queue.
        for (int i = 0; i < 3; i++) {
            System.gc();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(64);
            probe.release();
        }
        assertThat(LEAKS).as("Netty leak reports").isEmpty();
    }

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
}
