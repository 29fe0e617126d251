package io.hopgate.rtp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExtendedSequenceTest {
    @Test
    void shouldAcceptFirstPacketWithoutProbation() {
        final ExtendedSequence sequence = new ExtendedSequence();
        assertThat(sequence.update(1000)).isTrue();
        assertThat(sequence.received()).isEqualTo(1);
        assertThat(sequence.expected()).isEqualTo(1);
        assertThat(sequence.extendedHighest()).isEqualTo(1000);
    }

    @Test
    void shouldExtendAcrossWrap() {
        final ExtendedSequence sequence = new ExtendedSequence();
        for (int seq = 65530; seq <= 65535; seq++) {
            assertThat(sequence.update(seq)).isTrue();
        }
        assertThat(sequence.update(0)).isTrue();
        assertThat(sequence.update(1)).isTrue();

        assertThat(sequence.cycles()).isEqualTo(1);
        assertThat(sequence.highest()).isEqualTo(1);
        assertThat(sequence.extendedHighest()).isEqualTo(65536 + 1);
        assertThat(sequence.expected()).isEqualTo(8);
        assertThat(sequence.received()).isEqualTo(8);
    }

    @Test
    void shouldNotCountReorderedPacketAsWrap() {
        final ExtendedSequence sequence = new ExtendedSequence();
        sequence.update(65535);
        sequence.update(1);     // 0 lost or late
        sequence.update(0);     // late: counted, no extra cycle
        assertThat(sequence.cycles()).isEqualTo(1);
        assertThat(sequence.extendedHighest()).isEqualTo(65537);
        assertThat(sequence.received()).isEqualTo(3);
        assertThat(sequence.expected()).isEqualTo(3);
    }

    @Test
    void shouldHoldSourceOnProbationAsInRfc() {
        final ExtendedSequence sequence = new ExtendedSequence(ExtendedSequence.MIN_SEQUENTIAL);
        assertThat(sequence.update(10)).isFalse();
        assertThat(sequence.onProbation()).isTrue();
        assertThat(sequence.update(11)).isTrue();
        assertThat(sequence.onProbation()).isFalse();
        assertThat(sequence.baseSequence()).isEqualTo(11);
        assertThat(sequence.received()).isEqualTo(1);
    }

    @Test
    void shouldRestartProbationOnOutOfOrderPacket() {
        final ExtendedSequence sequence = new ExtendedSequence(3);
        assertThat(sequence.update(10)).isFalse();
        assertThat(sequence.update(20)).isFalse(); // not 11: back to probation 2
        assertThat(sequence.update(21)).isFalse();
        assertThat(sequence.update(22)).isTrue();
    }

    @Test
    void shouldResyncAfterConfirmedLargeJump() {
        final ExtendedSequence sequence = new ExtendedSequence();
        sequence.update(100);
        assertThat(sequence.update(30000)).isFalse(); // a jump beyond MAX_DROPOUT is suspicious
        assertThat(sequence.update(30001)).isTrue();  // its successor confirms: the source restarted
        assertThat(sequence.baseSequence()).isEqualTo(30001);
        assertThat(sequence.received()).isEqualTo(1);
    }

    @Test
    void shouldForgetEverythingOnReset() {
        final ExtendedSequence sequence = new ExtendedSequence();
        sequence.update(5);
        sequence.reset();
        assertThat(sequence.started()).isFalse();
        assertThat(sequence.expected()).isZero();
        assertThat(sequence.update(9)).isTrue();
        assertThat(sequence.baseSequence()).isEqualTo(9);
    }
}
