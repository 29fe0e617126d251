package io.hopgate.control.callserver;

import io.hopgate.control.h248.LocalControlMode;
import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.config.Config;
import io.hopgate.control.demo.RtpEndpoint;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.control.megaco.MegacoOptions;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.media.DropReason;
import io.hopgate.media.Termination;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 step 5 played by an independent call server over H.248: the anchor G1's link T3 is re-pointed from T5
 * (in G2) to T6 (in G3) with a plain Modify of its Remote while the old radio and G2 still send. A plain Modify is a
 * hard switch: nothing of the abandoned path may reach the far party, and its stream stays one SSRC with consecutive
 * sequence numbers.
 */
class GatewayRepointTest {
    private static final int PORT_BASE = 25600;
    private static final int OLD_PATH_TAG = 1000;

    private final List<GatewayService> gateways = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private MegacoEndpoint endpoint;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        for (GatewayService g : gateways) {
            g.close();
        }
    }

    private GatewayClient gateway(int i) {
        int min = PORT_BASE + i * 100;
        // Unconnected sockets: the forwarding rule then counts each refused old-path packet, which is how this test
        // knows all of them reached the anchor. Connected (the default), the kernel drops them before the rule,
        // uncounted.
        GatewayService g = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=" + min, "media.port-max=" + (min + 99), "media.connect-sockets=false")));
        g.start();
        gateways.add(g);
        return new GatewayClient("G" + (i + 1), g.controlAddress(), endpoint, 10_000);
    }

    private RtpEndpoint endpoint(String name, int leg, int ssrc) throws Exception {
        RtpEndpoint e = new RtpEndpoint(name, leg, ssrc);
        closing.add(e);
        return e;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
            Thread.sleep(2);
        }
    }

    private static boolean hasTag(RtpEndpoint e, int tag) {
        return e.received().stream().anyMatch(p -> p.tag() == tag);
    }

    @Test
    void shouldCutTheOldPathAtOnceWhenTheAnchorsLinkIsRepointed() throws Exception {
        endpoint = MegacoEndpoint.bind(new InetSocketAddress("127.0.0.1", 0), "[127.0.0.1]:0",
            MegacoOptions.defaults(), (peer, version, request) -> TransactionReply.error(request.id(),
                ErrorDescriptor.of(ErrorCode.NOT_IMPLEMENTED, "test call server serves nothing")), null);
        GatewayClient g1 = gateway(0);
        GatewayClient g2 = gateway(1);
        GatewayClient g3 = gateway(2);
        RtpEndpoint far = endpoint("far", 0, 0x0FA40000);
        RtpEndpoint bss2 = endpoint("bss2", 2, 0x0B000002);
        RtpEndpoint bss3 = endpoint("bss3", 3, 0x0B000003);

        // The call after a handoff to G2: G1 {T2 far, T3 link}, G2 {T4 radio, T5 link}.
        List<GatewayClient.Added> anchor = g1.addAll(ContextId.CHOOSE, Arrays.asList(far.address(), null));
        ContextId c1 = anchor.get(0).context();
        GatewayClient.Added t2 = anchor.get(0);
        GatewayClient.Added t3 = anchor.get(1);
        List<GatewayClient.Added> second = g2.addAll(ContextId.CHOOSE, Arrays.asList(bss2.address(), t3.local()));
        GatewayClient.Added t4 = second.get(0);
        g1.modify(c1, List.of(),
            List.of(new GatewayClient.Change(t2.termination(), LocalControlMode.SEND_RECEIVE, null),
            new GatewayClient.Change(t3.termination(), LocalControlMode.SEND_RECEIVE, second.get(1).local())));
        g2.modify(second.get(0).context(), List.of(), List.of(
            new GatewayClient.Change(t4.termination(), LocalControlMode.SEND_RECEIVE, null),
            new GatewayClient.Change(second.get(1).termination(), LocalControlMode.SEND_RECEIVE, null)));
        int tag = 0;
        for (; tag < 10; tag++) {
            bss2.send(t4.local(), tag);
        }
        int lastOld = tag - 1;
        await("uplink through G2", () -> hasTag(far, lastOld));

        // Step 5: G3 {T7 radio, T6 link to T3}; re-point T3 to T6 with a plain Modify of its Remote.
        List<GatewayClient.Added> third = g3.addAll(ContextId.CHOOSE, Arrays.asList(bss3.address(), t3.local()));
        GatewayClient.Added t7 = third.get(0);
        g3.modify(third.get(0).context(), List.of(), List.of(
            new GatewayClient.Change(t7.termination(), LocalControlMode.SEND_RECEIVE, null),
            new GatewayClient.Change(third.get(1).termination(), LocalControlMode.SEND_RECEIVE, null)));
        g1.modify(c1, List.of(), List.of(new GatewayClient.Change(t3.termination(), null, third.get(1).local())));
        Termination anchorLink = gateways.get(0).plane().termination(t3.termination().text());
        // The old radio and G2 go on for 10 packets: the first 3 reach the anchor before anything from the new path
        // (dual receive would forward those), the other 7 interleave with the mobile's uplink through G3.
        int oldFirst = 3;
        for (int i = 0; i < oldFirst; i++) {
            bss2.send(t4.local(), OLD_PATH_TAG + i);
        }
        await("the first old-path packets refused or forwarded at the anchor",
            () -> anchorLink.counters().dropped(DropReason.SOURCE)
                + far.received().stream().filter(p -> p.tag() >= OLD_PATH_TAG).count() >= oldFirst);
        for (int i = oldFirst; i < 10; i++) {
            bss3.send(t7.local(), tag++);
            bss2.send(t4.local(), OLD_PATH_TAG + i);
            Thread.sleep(2); // pacing, so the two paths interleave at the anchor
        }
        for (int i = 0; i < oldFirst; i++) {
            bss3.send(t7.local(), tag++);
        }
        // Each old-path packet is either refused at the anchor or (the bug) forwarded to the far party.
        await("the 10 old-path packets refused or forwarded at the anchor",
            () -> anchorLink.counters().dropped(DropReason.SOURCE)
                + far.received().stream().filter(p -> p.tag() >= OLD_PATH_TAG).count() >= 10);
        for (int i = 0; i < 10; i++) {
            bss3.send(t7.local(), tag++);
        }
        int last = tag - 1;
        await("the last uplink packet at the far party", () -> hasTag(far, last));
        g2.release(second.get(0).context());

        List<RtpEndpoint.Rx> got = far.received();
        assertThat(got).extracting(RtpEndpoint.Rx::tag).as("nothing from the abandoned path")
            .allMatch(t -> t < OLD_PATH_TAG);
        assertThat(got).extracting(RtpEndpoint.Rx::tag).as("every packet of the new path, in order")
            .containsSubsequence(10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29);
        Set<Integer> ssrcs = new HashSet<>();
        for (int i = 0; i < got.size(); i++) {
            ssrcs.add(got.get(i).ssrc());
            if (i > 0) {
                assertThat(got.get(i).seq()).as("sequence after packet %d", i)
                    .isEqualTo((got.get(i - 1).seq() + 1) & 0xFFFF);
            }
        }
        assertThat(ssrcs).as("one SSRC at the far party").hasSize(1);
        assertThat(got).hasSize(30);
    }
}
