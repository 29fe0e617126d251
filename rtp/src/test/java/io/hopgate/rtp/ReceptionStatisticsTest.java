package io.hopgate.rtp;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ReceptionStatisticsTest {
    private static final long PTIME_NANOS = 20_000_000L;
    private static final int SAMPLES = 160; // 20 ms at 8 kHz

    @Test
    void shouldCountLossAndZeroJitterAtConstantDelay() {
        final ReceptionStatistics stats = new ReceptionStatistics();
        final long start = 123_456_789_000L;
        final int baseTs = 0x7FFF_FF00; // crosses the signed int boundary on purpose
        for (int i = 0; i < 100; i++) {
            if (i == 10 || i == 50 || i == 51) {
                continue; // three packets lost in the network
            }
            final long arrival = start + i * PTIME_NANOS + 5_000_000L; // constant 5 ms transit
            stats.onPacket(65500 + i, baseTs + i * SAMPLES, arrival, 8000, 160);
        }

        assertThat(stats.packets()).isEqualTo(97);
        assertThat(stats.octets()).isEqualTo(97 * 160);
        assertThat(stats.expected()).isEqualTo(100);
        assertThat(stats.lost()).isEqualTo(3);
        assertThat(stats.extendedHighestSequence()).isEqualTo(65500 + 99);
        assertThat(stats.jitter()).isZero();
        assertThat(stats.fractionLost()).isEqualTo(3 * 256 / 100);
        assertThat(stats.fractionLost()).isZero(); // new interval, nothing happened
    }

    @Test
    void shouldMeasureJitterOnJitteredStream() {
        final ReceptionStatistics stats = new ReceptionStatistics();
        final Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            // transit uniform in 0..10 ms: mean |D| is 10/3 ms = 26.7 units at 8 kHz
            final long arrival = i * PTIME_NANOS + (long)(random.nextDouble() * 10_000_000L);
            stats.onPacket(i, i * SAMPLES, arrival, 8000, 160);
        }
        assertThat(stats.lost()).isZero();
        assertThat(stats.jitter()).isBetween(15L, 40L);
    }

    @Test
    void shouldNeverReportNegativeLossOnDuplicates() {
        final ReceptionStatistics stats = new ReceptionStatistics();
        for (int i = 0; i < 5; i++) {
            stats.onPacket(7, 0, i, 8000, 10);
        }
        assertThat(stats.packets()).isEqualTo(5);
        assertThat(stats.expected()).isEqualTo(1);
        assertThat(stats.lost()).isZero();
        assertThat(stats.fractionLost()).isZero();
    }

    @Test
    void shouldTreatNonPositiveClockRateAs8000() {
        final ReceptionStatistics stats = new ReceptionStatistics();
        stats.onPacket(1, 0, 0, 0, 0);
        stats.onPacket(2, 160, PTIME_NANOS, -1, 0);
        assertThat(stats.jitter()).isZero();
    }

    @Test
    void shouldStartOverAfterReset() {
        final ReceptionStatistics stats = new ReceptionStatistics();
        stats.onPacket(1, 0, 0, 8000, 10);
        stats.onPacket(5, 640, 4 * PTIME_NANOS, 8000, 10);
        stats.reset();
        assertThat(stats.packets()).isZero();
        assertThat(stats.lost()).isZero();
        assertThat(stats.octets()).isZero();
        assertThat(stats.jitter()).isZero();
    }

    @Test
    void shouldConvertLongDurationsWithoutOverflow() {
        final long tenDaysNanos = 10L * 86_400 * 1_000_000_000L;
        assertThat(ReceptionStatistics.toUnits(tenDaysNanos, 90_000)).isEqualTo(10L * 86_400 * 90_000);
        assertThat(ReceptionStatistics.toUnits(1_500_000_000L, 8000)).isEqualTo(12_000);
    }
}
