package io.hopgate.control.demo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HarnessPortsTest {
    @Test
    void shouldBindTheLegsFromTheLegPortBaseSoTheyCanBePinned() throws Exception {
        Harness h = Harness.start(1, 5000, 50, 21800, 21890);
        try {
            assertThat(h.radio("bss1").address().getPort()).isEqualTo(21891);
            assertThat(h.radio("bss2").address().getPort()).isEqualTo(21892);
        } finally {
            h.close();
        }
    }
}
