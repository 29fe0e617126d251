package io.hopgate.control.gateway;

import io.hopgate.control.config.Config;
import io.hopgate.control.h248.Message;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.media.Await;
import io.hopgate.media.RtpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.context;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.errorText;
import static io.hopgate.control.gateway.H248TestClient.localPort;
import static io.hopgate.control.gateway.H248TestClient.modify;
import static io.hopgate.control.gateway.H248TestClient.terminations;
import static org.assertj.core.api.Assertions.assertThat;

/** Drives a real gateway over UDP with H.248 text, as an MGC would, and checks the media with real RTP. */
class GatewayDaemonTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(2);
    private static final Duration QUIET = Duration.ofMillis(150);

    private GatewayService gateway;
    private H248TestClient mgc;
    private final List<RtpPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        startGateway(24000, 24999, List.of());
    }

    private void startGateway(int portMin, int portMax, List<String> extra) throws Exception {
        List<String> sets = new ArrayList<>(List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=" + portMin, "media.port-max=" + portMax, "control.pending-after-ms=2000"));
        sets.addAll(extra);
        gateway = new GatewayService(Config.load(null, sets));
        gateway.start();
        mgc = new H248TestClient(gateway.controlAddress());
    }

    @AfterEach
    void stop() throws Exception {
        mgc.close();
        gateway.close();
        for (RtpPeer p : peers) {
            p.close();
        }
    }

    private RtpPeer peer(int ssrc) throws Exception {
        RtpPeer p = new RtpPeer(ssrc);
        peers.add(p);
        return p;
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** A call: context $ with two Adds, each leg's Remote a test peer. */
    private record Call(long context, String t1, String t2, InetSocketAddress gw1, InetSocketAddress gw2) {
    }

    private Call setUp(RtpPeer a, RtpPeer b) throws Exception {
        TransactionReply r = mgc.transaction("Context = $ {\n" + add("SendReceive", a.port()) + ",\n"
            + add("SendReceive", b.port()) + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        List<String> terms = terminations(r);
        assertThat(terms).hasSize(2).doesNotHaveDuplicates();
        return new Call(context(r), terms.get(0), terms.get(1), local(localPort(r, 0)), local(localPort(r, 1)));
    }

    @Test
    void shouldSetUpACallWithTwoAddsAndCarryRtpBothWays() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        assertThat(call.context()).isPositive();
        assertThat(mgc.lastRaw).contains("c=IN IP4 127.0.0.1").doesNotContain("$");
        a.send(call.gw1(), 11);
        b.send(call.gw2(), 22);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(11);
        assertThat(a.receive(ARRIVAL).tag()).isEqualTo(22);
    }

    @Test
    void shouldChangeTheFlowOnModifyModeAndTopology() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        TransactionReply r = mgc.transaction("Context = " + call.context() + " { " + modify(call.t2(), "ReceiveOnly")
            + " }");
        assertThat(errorCode(r)).isZero();
        a.send(call.gw1(), 1);
        b.send(call.gw2(), 2);
        assertThat(a.receive(ARRIVAL).tag()).as("b -> a still flows").isEqualTo(2);
        assertThat(b.drain(QUIET)).as("b is ReceiveOnly: nothing sent to it").isZero();
        r = mgc.transaction("Context = " + call.context() + " { Topology { " + call.t2() + ", " + call.t1()
            + ", isolate }, " + modify(call.t2(), "SendReceive") + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        a.send(call.gw1(), 3);
        b.send(call.gw2(), 4);
        assertThat(a.drain(QUIET)).isZero();
        assertThat(b.drain(QUIET)).isZero();
        r = mgc.transaction("Context = " + call.context() + " { Topology { " + call.t1() + ", " + call.t2()
            + ", oneway } }");
        assertThat(errorCode(r)).isZero();
        a.send(call.gw1(), 5);
        b.send(call.gw2(), 6);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(5);
        assertThat(a.drain(QUIET)).isZero();
    }

    @Test
    void shouldBicastThroughTopologyAndCollapse() throws Exception {
        RtpPeer far = peer(1);
        RtpPeer oldLeg = peer(2);
        RtpPeer newLeg = peer(3);
        Call call = setUp(far, oldLeg);
        // Add, then arm (docs/architecture.md section 2.1): the new leg comes in Inactive, the next transaction sets
        // topology and mode.
        TransactionReply r = mgc.transaction("Context = " + call.context() + " { " + add("Inactive", newLeg.port())
            + " }");
        String b2 = terminations(r).get(0);
        InetSocketAddress gwB2 = local(localPort(r, 0));
        r = mgc.transaction("Context = " + call.context() + " { Topology { " + call.t1() + ", " + b2 + ", oneway, "
            + call.t2() + ", " + b2 + ", isolate }, " + modify(b2, "SendOnly") + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        for (int i = 0; i < 20; i++) {
            far.send(call.gw1(), i);
        }
        for (int i = 0; i < 20; i++) {
            assertThat(oldLeg.receive(ARRIVAL).tag()).isEqualTo(i);
            assertThat(newLeg.receive(ARRIVAL).tag()).isEqualTo(i);
        }
        r = mgc.transaction("Context = " + call.context() + " { Topology { " + call.t1() + ", " + b2
            + ", bothway }, Subtract = " + call.t2() + ", " + modify(b2, "SendReceive") + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        assertThat(H248TestClient.statistics(r, 0).statistics()).containsEntry("rtp/ps", "20");
        newLeg.send(gwB2, 100);
        far.send(call.gw1(), 101);
        assertThat(far.receive(ARRIVAL).tag()).isEqualTo(100);
        assertThat(newLeg.receive(ARRIVAL).tag()).isEqualTo(101);
        assertThat(oldLeg.drain(QUIET)).isZero();
    }

    @Test
    void shouldMoveATerminationIntoAnotherContext() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        RtpPeer c = peer(3);
        RtpPeer d = peer(4);
        Call one = setUp(a, b);
        Call two = setUp(c, d);
        TransactionReply r = mgc.transaction("Context = " + two.context() + " { Move = " + one.t2() + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        c.send(two.gw1(), 7);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(7);
        assertThat(d.receive(ARRIVAL).tag()).isEqualTo(7);
    }

    @Test
    void shouldReturnStatisticsOnSubtractAndFreeTheContext() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        for (int i = 0; i < 10; i++) {
            a.send(call.gw1(), i);
        }
        Await.until("10 forwarded", () -> gateway.plane().totals().sent() == 10);
        TransactionReply r = mgc.transaction("Context = " + call.context() + " { Subtract = " + call.t1()
            + ", Subtract = " + call.t2() + " }");
        assertThat(errorCode(r)).isZero();
        assertThat(H248TestClient.statistics(r, 0).statistics()).containsEntry("rtp/pr", "10")
            .containsEntry("nt/or", "1720").containsKeys("rtp/pl", "rtp/jit", "nt/dur");
        assertThat(H248TestClient.statistics(r, 1).statistics()).containsEntry("rtp/ps", "10");
        assertThat(gateway.plane().contexts()).isEmpty();
        r = mgc.transaction("Context = " + call.context() + " { Subtract = " + call.t1() + " }");
        assertThat(errorCode(r)).isEqualTo(411);
    }

    @Test
    void shouldExecuteARetransmittedRequestOnceAndAnswerWithTheSameReply() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        long id = mgc.nextId();
        String body = "Context = $ {\n" + add("SendReceive", a.port()) + ",\n" + add("SendReceive", b.port()) + " }";
        TransactionReply first = mgc.transaction(id, body);
        String firstRaw = mgc.lastRaw;
        TransactionReply again = mgc.transaction(id, body);
        assertThat(mgc.lastRaw).isEqualTo(firstRaw);
        assertThat(terminations(again)).isEqualTo(terminations(first));
        assertThat(gateway.plane().contexts()).hasSize(1);
        assertThat(gateway.plane().terminations()).hasSize(2);
    }

    @Test
    void shouldAnswerEachErrorClassWithItsCodeAndCause() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        TransactionReply r = mgc.transaction("Context = 999 { " + modify("rtp/1", "SendOnly") + " }");
        assertThat(errorCode(r)).isEqualTo(411);
        assertThat(errorText(r)).contains("999");
        r = mgc.transaction("Context = " + call.context() + " { " + modify("rtp/77", "SendOnly") + " }");
        assertThat(errorCode(r)).isEqualTo(430);
        assertThat(errorText(r)).contains("rtp/77");
        r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t1()
            + " { Media { Stream = 2 { LocalControl { Mode = SendOnly } } } } }");
        assertThat(errorCode(r)).isEqualTo(501);
        r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t1()
            + " { Media { Stream = 1 { LocalControl { Mode = SendOnly, tdmc/ec = on } } } } }");
        assertThat(errorCode(r)).isEqualTo(445);
        assertThat(errorText(r)).contains("tdmc/ec");
        r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t1()
            + " { Events = 1 { al/of } } }");
        assertThat(errorCode(r)).isEqualTo(440);
        r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t1()
            + " { Media { Stream = 1 { Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio notaport RTP/AVP 0 } } } } }");
        assertThat(errorCode(r)).isEqualTo(449);
        // The commands before a failing one stay done; the failing one ends the transaction.
        r = mgc.transaction("Context = " + call.context() + " { " + modify(call.t1(), "SendOnly") + ", "
            + modify("rtp/404", "SendOnly") + ", " + modify(call.t2(), "SendOnly") + " }");
        assertThat(errorCode(r)).isEqualTo(430);
        assertThat(terminations(r)).containsExactly(call.t1());
        assertThat(gateway.plane().termination(call.t1()).mode().name()).isEqualTo("SEND_ONLY");
        assertThat(gateway.plane().termination(call.t2()).mode().name()).isEqualTo("SEND_RECV");
        Message syntax = mgc.exchange("MEGACO/2 [127.0.0.1]:1\nTransaction = 5 { Context = $ { Add = $ { ");
        // Transaction 5 could be read: the 400 comes in its reply, so the MGC's transaction ends (issue 12, item 2).
        assertThat(syntax.messageError()).isNull();
        assertThat(((TransactionReply) syntax.transactions().get(0)).id()).isEqualTo(5);
        assertThat(((TransactionReply) syntax.transactions().get(0)).error().code()).isEqualTo(400);
        assertThat(syntax.version()).as("error answered in the request's version").isEqualTo(2);
        assertThat(syntax.mid()).as("mId names the bound port").endsWith(":" + gateway.controlAddress().getPort());
        Message version = mgc.exchange("MEGACO/9 [127.0.0.1]:1\nTransaction = 6 { Context = - { AuditValue = ROOT } }");
        assertThat(version.messageError().code()).isEqualTo(406);
    }

    @Test
    void shouldSurviveGarbageDatagramsWithoutChangingState() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            mgc.sendBytes(junk);
            Message m = MessageParserAccess.parse(mgc.receive());
            assertThat(m.messageError()).as("error reply to junk " + i).isNotNull();
        }
        assertThat(gateway.plane().contexts()).hasSize(1);
        a.send(call.gw1(), 9);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(9);
        assertThat(mgc.transaction("Context = - { AuditValue = ROOT { Audit { } } }").error()).isNull();
    }

    @Test
    void shouldRefuseWith510WhenPortsRunOutAndKeepCallsUp() throws Exception {
        stop();
        peers.clear();
        startGateway(29990, 29993, List.of());
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        TransactionReply r = mgc.transaction("Context = $ { " + add("SendReceive", 40000) + " }");
        assertThat(errorCode(r)).isEqualTo(510);
        assertThat(errorText(r)).contains("media.port-min=29990");
        assertThat(gateway.plane().contexts()).as("the failed context is not left behind").hasSize(1);
        a.send(call.gw1(), 1);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(1);
    }

    @Test
    void shouldRefuseRequestsFromPeersNotAllowed() throws Exception {
        stop();
        peers.clear();
        startGateway(24000, 24999, List.of("control.allowed-peers=127.0.0.9"));
        TransactionReply r = mgc.transaction("Context = $ { " + add("SendReceive", 40000) + " }");
        assertThat(errorCode(r)).isEqualTo(402);
        assertThat(gateway.plane().contexts()).isEmpty();
    }

    @Test
    void shouldAuditRootTerminationsAndAllContexts() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        TransactionReply r = mgc.transaction("Context = - { AuditValue = ROOT { Audit { Packages } } }");
        assertThat(mgc.lastRaw).contains("nt-1").contains("rtp-1");
        r = mgc.transaction("Context = " + call.context() + " { AuditValue = " + call.t1() + " { Audit { Media, "
            + "Statistics } } }");
        assertThat(errorCode(r)).isZero();
        assertThat(mgc.lastRaw).contains("SendReceive").contains("m=audio " + a.port());
        r = mgc.transaction("Context = * { AuditValue = * }");
        assertThat(terminations(r)).containsExactly(call.t1(), call.t2());
    }

    @Test
    void shouldAnnounceItselfToTheConfiguredMgcWithServiceChangeRestart() throws Exception {
        try (java.net.DatagramSocket mgcSocket = new java.net.DatagramSocket(0,
            java.net.InetAddress.getLoopbackAddress())) {
            mgcSocket.setSoTimeout(5000);
            stop();
            peers.clear();
            startGateway(24000, 24999, List.of("control.mgc=127.0.0.1:" + mgcSocket.getLocalPort()));
            byte[] buf = new byte[8192];
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            mgcSocket.receive(p);
            Message m = MessageParserAccess.parse(
                new String(buf, 0, p.getLength(), java.nio.charset.StandardCharsets.UTF_8));
            io.hopgate.control.h248.TransactionRequest request =
                (io.hopgate.control.h248.TransactionRequest) m.transactions().get(0);
            io.hopgate.control.h248.CommandRequest command = request.actions().get(0).commands().get(0);
            assertThat(command.type()).isEqualTo(io.hopgate.control.h248.CommandType.SERVICE_CHANGE);
            assertThat(command.terminationId().isRoot()).isTrue();
            assertThat(command.descriptor(io.hopgate.control.h248.ServiceChangeDescriptor.class).method())
                .isEqualTo(io.hopgate.control.h248.ServiceChangeMethod.RESTART);
            // Without a reply the gateway retransmits the same transaction.
            mgcSocket.receive(p);
            Message again = MessageParserAccess.parse(
                new String(buf, 0, p.getLength(), java.nio.charset.StandardCharsets.UTF_8));
            assertThat(((io.hopgate.control.h248.TransactionRequest) again.transactions().get(0)).id())
                .isEqualTo(request.id());
        }
    }

    @Test
    void shouldHoldPacketsWhileMarkedMovingAndFlushThemToTheNewRemote() throws Exception {
        // The move buffer's age bound (200 ms by default) is not under test: on a loaded machine the Modify may come
        // later than that after the first held packet, which would then be dropped as stale.
        stop();
        peers.clear();
        startGateway(24000, 24999, List.of("media.move-buffer-ms=10000"));
        RtpPeer a = peer(1);
        RtpPeer oldB = peer(2);
        RtpPeer newB = peer(2);
        Call call = setUp(a, oldB);
        TransactionReply r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t2()
            + " { Media { Stream = 1 { LocalControl { hopgate/moving = on } } } } }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        for (int i = 0; i < 5; i++) {
            a.send(call.gw1(), i);
        }
        // Counted on receipt, held a moment later: wait for the buffer, not for the receipt.
        Await.until("5 held", () -> gateway.plane().termination(call.t2()).moveHeld() == 5);
        r = mgc.transaction("Context = " + call.context() + " { " + H248TestClient.modifyRemote(call.t2(), newB.port())
            + " }");
        assertThat(errorCode(r)).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(newB.receive(ARRIVAL).tag()).isEqualTo(i);
        }
        assertThat(oldB.drain(QUIET)).isZero();
    }

    @Test
    void shouldOpenDualReceiveOnlyWhenLocalControlAsksForIt() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer oldB = peer(2);
        RtpPeer newB = peer(2);
        RtpPeer thirdB = peer(2);
        Call call = setUp(a, oldB);
        TransactionReply r = mgc.transaction("Context = " + call.context() + " { "
            + H248TestClient.modifyRemote(call.t2(), newB.port()) + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        assertThat(gateway.plane().termination(call.t2()).remote().previousRtp()).as("a plain Modify: hard switch")
            .isNull();
        r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t2() + " { Media { Stream = 1 { "
            + "LocalControl { hopgate/dual-receive = on }, Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio "
            + thirdB.port() + " RTP/AVP 0 } } } } }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        assertThat(gateway.plane().termination(call.t2()).remote().previousRtp()).isEqualTo(newB.address());
        r = mgc.transaction("Context = " + call.context() + " { Modify = " + call.t2()
            + " { Media { Stream = 1 { LocalControl { hopgate/dual-receive = maybe } } } } }");
        assertThat(errorCode(r)).isEqualTo(io.hopgate.control.h248.ErrorCode.UNSUPPORTED_VALUE.code());
        assertThat(mgc.lastRaw).contains("hopgate/dual-receive=maybe");
    }
}
