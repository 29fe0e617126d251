package io.hopgate.control.callserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.demo.Harness;
import io.hopgate.control.demo.Harness.Result;
import io.hopgate.control.demo.Harness.Step;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: three real gateways and the call server on loopback, real RTP at 50 packets/s each way, one call per
 * test driven over the HTTP API. For every procedure: nothing lost downlink at the mobile (all radio legs together),
 * nothing lost uplink at the far end (the uplink switch is lossless, switches included), and one SSRC with
 * consecutive sequence numbers there.
 */
class HandoffEndToEndTest {
    private static final AtomicInteger PORTS = new AtomicInteger(21000);
    private static final long HOLD_MS = 200;

    private Harness h;

    private Harness start(long handoffTimeoutMs) throws Exception {
        h = Harness.start(3, handoffTimeoutMs, 50, PORTS.getAndAdd(400));
        return h;
    }

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private static void assertClean(List<Result> results) {
        for (Result r : results) {
            assertThat(r.downlinkLost()).as("downlink lost in %s", r.step()).isZero();
            // Lossless uplink switch (docs/architecture.md section 2.8): not one uplink packet lost, switches included.
            assertThat(r.uplinkLost()).as("uplink lost in %s", r.step()).isZero();
            assertThat(r.farSsrcs()).as("far SSRCs in %s", r.step()).isLessThanOrEqualTo(1);
            assertThat(r.farSeqErrors()).as("far sequence errors in %s", r.step()).isZero();
        }
    }

    private void assertFarContinuous() {
        int[] c = h.farContinuity();
        assertThat(c[0]).as("SSRCs at the far end").isEqualTo(1);
        assertThat(c[1]).as("sequence errors at the far end").isZero();
    }

    private String state() {
        return h.api("get", "GET", "/calls/" + h.callId(), null).body().path("state").asText();
    }

    @Test
    void shouldBicastHandoffInsideOneGatewayWithoutBreak() throws Exception {
        start(5000);
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        Step step = h.bicast("bicast in G1", h.radio("bss1b"), HOLD_MS);
        h.hold(HOLD_MS);
        h.stopTraffic();
        List<Result> results = h.analyze();
        assertClean(results);
        assertFarContinuous();
        assertThat(step.replies).extracting(Harness.Reply::status).containsOnly(200);
        assertThat(results.get(1).received().get("bss1b")).isPositive();
        assertThat(state()).isEqualTo("ACTIVE");
    }

    @Test
    void shouldHandOffToSecondGatewayThenThirdThenBack() throws Exception {
        start(5000);
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        h.handoff("G1 -> G2", "G2", h.radio("bss2"), HOLD_MS);
        h.hold(HOLD_MS);
        h.handoff("G2 -> G3", "G3", h.radio("bss3"), HOLD_MS);
        h.hold(HOLD_MS);
        h.handoff("G3 -> G1 (handback)", "G1", h.radio("bss1c"), HOLD_MS);
        h.hold(HOLD_MS);
        h.stopTraffic();
        List<Result> results = h.analyze();
        assertClean(results);
        assertFarContinuous();
        // Each gateway's context is gone once the call left it; G1 holds the anchor context with two terminations.
        assertThat(h.gateways().get(1).plane().contexts()).isEmpty();
        assertThat(h.gateways().get(2).plane().contexts()).isEmpty();
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
    }

    @Test
    void shouldBicastInsideTheServingGatewayAwayFromTheAnchor() throws Exception {
        start(5000);
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        h.handoff("G1 -> G2", "G2", h.radio("bss2"), HOLD_MS);
        h.hold(HOLD_MS);
        // Seed 001 in G2: A is the link to the anchor (T5), B the radio leg T4.
        h.bicast("bicast in G2", h.radio("bss2b"), HOLD_MS);
        h.hold(HOLD_MS);
        h.failedHandoff("bicast in G2 cancelled", null, h.radio("bss2c"), true, "failure", HOLD_MS, 0);
        h.hold(HOLD_MS);
        h.handoff("G2 -> G1 (handback)", "G1", h.radio("bss1b"), HOLD_MS);
        h.hold(HOLD_MS);
        h.stopTraffic();
        assertClean(h.analyze());
        assertFarContinuous();
        assertThat(h.gateways().get(1).plane().contexts()).isEmpty();
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
    }

    @Test
    void shouldRevertFailedGatewayHandoffAfterDetect() throws Exception {
        start(5000);
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        h.failedHandoff("G1 -> G2 fails after detect", "G2", h.radio("bss2"), true, "failure", HOLD_MS, 0);
        h.hold(HOLD_MS);
        h.failedHandoff("G1 -> G2 fails before detect", "G2", h.radio("bss2b"), false, "failure", HOLD_MS, 0);
        h.hold(HOLD_MS);
        h.stopTraffic();
        assertClean(h.analyze());
        assertFarContinuous();
        assertThat(state()).isEqualTo("ACTIVE");
        assertThat(h.gateways().get(1).plane().contexts()).isEmpty();
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
    }

    @Test
    void shouldRevertCancelledBicastHandoff() throws Exception {
        start(5000);
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        h.failedHandoff("bicast cancelled after execute", null, h.radio("bss1b"), true, "failure", HOLD_MS, 0);
        h.hold(HOLD_MS);
        h.failedHandoff("bicast cancelled after prepare", null, h.radio("bss1c"), false, "failure", HOLD_MS, 0);
        h.hold(HOLD_MS);
        h.stopTraffic();
        assertClean(h.analyze());
        assertFarContinuous();
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
    }

    @Test
    void shouldFailHandoffWhenCompletionNeverComes() throws Exception {
        start(400);
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        h.failedHandoff("G1 -> G2 times out after detect", "G2", h.radio("bss2"), true, "timeout", 100, 3000);
        h.hold(HOLD_MS);
        h.failedHandoff("bicast times out", null, h.radio("bss1b"), false, "timeout", 100, 3000);
        h.hold(HOLD_MS);
        h.stopTraffic();
        assertClean(h.analyze());
        assertFarContinuous();
        assertThat(state()).isEqualTo("ACTIVE");
        assertThat(h.gateways().get(1).plane().contexts()).isEmpty();
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
        String history = h.api("get", "GET", "/calls/" + h.callId(), null).body().path("history").toString();
        assertThat(history).contains("\"timeout\"");
    }
}
