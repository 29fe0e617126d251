package io.hopgate.control.callserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.state.RedisRecordStore;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call survives its trip through the JSON kept in state.redis (docs/ha.md, "Call server") field for field. */
class CallRecordTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Call callInHandoff() {
        Call.Leg serving = new Call.Leg("G1", ContextId.of(4_000_000_001L), TerminationId.of("rtp/7"),
            new InetSocketAddress("::1", 4002), new InetSocketAddress("127.0.0.1", 30002), TerminationId.of("rtp/7"),
            null);
        Call call = new Call("c42", "G1", ContextId.of(4_000_000_001L), TerminationId.of("rtp/6"),
            new InetSocketAddress("127.0.0.1", 4000), new InetSocketAddress("127.0.0.1", 30000), serving, 1_000L);
        Call.Leg target = new Call.Leg("G2", ContextId.of(9), TerminationId.of("rtp/2"),
            new InetSocketAddress("127.0.0.1", 4004), new InetSocketAddress("127.0.0.1", 30102),
            TerminationId.of("rtp/8"), TerminationId.of("rtp/3"));
        call.handoff = new Call.Handoff(Procedure.GATEWAY, target);
        call.handoff.deadlineMs = System.currentTimeMillis() + 5_000;
        call.handoff.detectedNow();
        call.deferred.add(new Call.Deferred(Call.Deferred.Kind.OLD_UPLINK_SEND_ONLY, serving, null,
            call.handoff.detectedAtMs + HandoffSteps.UPLINK_OVERLAP_MS));
        call.state = CallState.DETECTED;
        call.lastEvent = Event.DETECT;
        call.restoreHistory(List.of(new Call.Entry(1_000, Event.CREATE, CallState.ACTIVE, Step.CREATE, "G1", 1.5),
            new Call.Entry(1_200, Event.REQUIRED, CallState.PREPARED, Step.PREPARE_GATEWAY, "to G2", 2.25),
            new Call.Entry(1_400, Event.DETECT, CallState.DETECTED, Step.DETECT_GATEWAY, "", 0.75)));
        return call;
    }

    @Test
    void shouldReadBackEveryFieldOfACallInHandoff() throws Exception {
        Call call = callInHandoff();
        CallRecord record = CallRecord.of(call);
        String json = RedisRecordStore.json(record);
        CallRecord read = JSON.readValue(json, CallRecord.class);
        assertThat(read).isEqualTo(record);
        Call restored = read.toCall();
        assertThat(CallRecord.of(restored)).isEqualTo(record);
        assertThat(restored.view()).isEqualTo(call.view());
        assertThat(restored.serving.radioRemote()).isEqualTo(new InetSocketAddress("::1", 4002));
        assertThat(restored.handoff.target.link()).isEqualTo(TerminationId.of("rtp/3"));
        assertThat(restored.deferred).containsExactlyElementsOf(call.deferred);
        // the uplink moved just now: the restored handoff still has (about) the whole overlap to wait
        long sinceDetectMs = (System.nanoTime() - restored.handoff.detectedNanos) / 1_000_000;
        assertThat(sinceDetectMs).isBetween(0L, 1_000L);
        assertThat(json).contains("\"state\":\"DETECTED\"", "\"procedure\":\"GATEWAY\"",
            "\"anchorContext\":4000000001");
    }

    @Test
    void shouldRefuseARecordOfAnotherVersionOrWithoutItsPath() {
        CallRecord record = CallRecord.of(callInHandoff());
        CallRecord other = new CallRecord(CallRecord.VERSION + 1, record.id(), record.anchor(), record.anchorContext(),
            record.far(), record.farRemote(), record.farLocal(), record.serving(), record.handoff(), record.state(),
            record.lastEvent(), record.createdMs(), record.history(), record.deferred());
        assertThatThrownBy(other::toCall).hasMessageContaining("version");
        CallRecord noPath = new CallRecord(CallRecord.VERSION, record.id(), record.anchor(), record.anchorContext(),
            record.far(), record.farRemote(), record.farLocal(), null, null, record.state(), record.lastEvent(),
            record.createdMs(), List.of(), List.of());
        assertThatThrownBy(noPath::toCall).isInstanceOf(IllegalArgumentException.class);
    }
}
