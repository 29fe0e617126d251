package io.hopgate.control.gateway;

import io.hopgate.control.config.Config;
import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.media.DropReason;
import io.hopgate.media.RtpPeer;
import io.hopgate.media.Termination;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.context;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.localPort;
import static io.hopgate.control.gateway.H248TestClient.terminations;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Remotes a hostile or careless peer sends, over H.248 against the real daemon: the gateway's own media and control
 * ports (a packet loop), broadcast, multicast, IPv6 on an IPv4 gateway, more than one m= line, and hold
 * ({@code c=IN IP4 0.0.0.0}, RFC 3264 section 8.4: accepted, nothing sent).
 */
class GatewayRemoteValidationTest {
    private static final int PORT_MIN = 26600;
    private static final int PORT_MAX = 26699;
    private static final Duration ARRIVAL = Duration.ofSeconds(2);
    private static final Duration QUIET = Duration.ofMillis(200);

    private GatewayService gateway;
    private H248TestClient mgc;
    private final List<RtpPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=" + PORT_MIN, "media.port-max=" + PORT_MAX)));
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

    private record Call(long context, String t1, String t2, InetSocketAddress gw1, InetSocketAddress gw2) {
    }

    private Call setUp(RtpPeer a, RtpPeer b) throws Exception {
        TransactionReply r = mgc.transaction("Context = $ {\n" + add("SendReceive", a.port()) + ",\n"
            + add("SendReceive", b.port()) + " }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        List<String> terms = terminations(r);
        return new Call(context(r), terms.get(0), terms.get(1), new InetSocketAddress("127.0.0.1", localPort(r, 0)),
            new InetSocketAddress("127.0.0.1", localPort(r, 1)));
    }

    private TransactionReply modifyRemote(Call call, String term, String connection, int port) throws Exception {
        return mgc.transaction("Context = " + call.context() + " { Modify = " + term + " { Media { Stream = 1 { "
            + "Remote { v=0\nc=" + connection + "\nm=audio " + port + " RTP/AVP 0 } } } } }");
    }

    @Test
    void shouldRefuseARemoteThatIsTheGatewaysOwnMediaPort() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        // Each leg pointed at the other leg's own gateway port: one packet would circulate for ever.
        TransactionReply r = modifyRemote(call, call.t1(), "IN IP4 127.0.0.1", call.gw2().getPort());
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(ErrorCode.UNSUPPORTED_VALUE.code());
        assertThat(mgc.lastRaw).contains("127.0.0.1:" + call.gw2().getPort(), "own media port range");
        // A port just below the range sends its RTCP into the range.
        r = modifyRemote(call, call.t1(), "IN IP4 127.0.0.1", PORT_MIN - 1);
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(ErrorCode.UNSUPPORTED_VALUE.code());
        r = mgc.transaction("Context = $ { " + add("SendReceive", call.gw1().getPort()) + " }");
        assertThat(errorCode(r)).as("an Add is checked too: %s", mgc.lastRaw)
            .isEqualTo(ErrorCode.UNSUPPORTED_VALUE.code());
        // The call still works as it was: the refused Modify changed nothing.
        a.send(call.gw1(), 7);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(7);
        assertThat(gateway.plane().contexts()).hasSize(1);
    }

    @Test
    void shouldRefuseARemoteThatIsTheGatewaysControlPort() throws Exception {
        Call call = setUp(peer(1), peer(2));
        int control = gateway.controlAddress().getPort();
        TransactionReply r = modifyRemote(call, call.t2(), "IN IP4 127.0.0.1", control);
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(ErrorCode.UNSUPPORTED_VALUE.code());
        assertThat(mgc.lastRaw).contains("127.0.0.1:" + control, "own control address");
        r = modifyRemote(call, call.t2(), "IN IP4 127.0.0.1", control - 1);
        assertThat(errorCode(r)).as("RTCP at port + 1 would hit the control port: %s", mgc.lastRaw)
            .isEqualTo(ErrorCode.UNSUPPORTED_VALUE.code());
    }

    @Test
    void shouldRefuseBroadcastMulticastAndIpv6OnAnIpv4Gateway() throws Exception {
        Call call = setUp(peer(1), peer(2));
        for (String[] bad : new String[][] {
            {"IN IP4 255.255.255.255", "255.255.255.255", "broadcast"},
            {"IN IP4 239.1.2.3", "239.1.2.3", "multicast"},
            {"IN IP4 224.0.0.1", "224.0.0.1", "multicast"},
            {"IN IP6 ::1", "0:0:0:0:0:0:0:1", "IPv6"},
            {"IN IP6 2001:db8::5", "2001:db8:0:0:0:0:0:5", "IPv6"}}) {
            TransactionReply r = modifyRemote(call, call.t2(), bad[0], 20000);
            assertThat(errorCode(r)).as("c=%s: %s", bad[0], mgc.lastRaw).isEqualTo(ErrorCode.UNSUPPORTED_VALUE.code());
            assertThat(mgc.lastRaw).as("c=%s", bad[0]).contains(bad[1], bad[2]);
        }
    }

    @Test
    void shouldHoldOnTheUnspecifiedAddressAndSendNothing() throws Exception {
        RtpPeer a = peer(1);
        RtpPeer b = peer(2);
        Call call = setUp(a, b);
        a.send(call.gw1(), 1);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(1);
        // Hold toward b, with b's own port: a packet sent to 0.0.0.0 would reach this host, i.e. b's socket.
        TransactionReply r = modifyRemote(call, call.t2(), "IN IP4 0.0.0.0", b.port());
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        for (int i = 0; i < 5; i++) {
            a.send(call.gw1(), 10 + i);
        }
        Termination fromA = gateway.plane().termination(call.t1());
        io.hopgate.media.Await.until("a's packets gated", Duration.ofSeconds(5),
            () -> fromA.counters().dropped(DropReason.NO_ROUTE) >= 5);
        assertThat(b.drain(QUIET)).as("nothing sent toward a held Remote").isZero();
        assertThat(gateway.plane().termination(call.t2()).counters().sent()).as("sent counter of the held leg")
            .isEqualTo(1);
        // Off hold: b's address again, media flows.
        r = modifyRemote(call, call.t2(), "IN IP4 127.0.0.1", b.port());
        assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
        a.send(call.gw1(), 20);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(20);
    }

    @Test
    void shouldRefuseAnSdpWithMoreThanOneMediaLine() throws Exception {
        RtpPeer a = peer(1);
        StringBuilder local = new StringBuilder("v=0\nc=IN IP4 $\n");
        for (int i = 0; i < 50; i++) {
            local.append("m=audio $ RTP/AVP 0\n");
        }
        TransactionReply r = mgc.transaction("Context = $ { Add = $ { Media { Stream = 1 { LocalControl { Mode = "
            + "SendReceive }, Local { " + local + "}, Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio " + a.port()
            + " RTP/AVP 0 } } } } }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(ErrorCode.NOT_IMPLEMENTED.code());
        assertThat(mgc.lastRaw).contains("Local SDP has 50 m= lines", "one stream").doesNotContain("m=audio $");
        r = mgc.transaction("Context = $ { Add = $ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, "
            + "Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio " + a.port() + " RTP/AVP 0\nm=video " + (a.port() + 2)
            + " RTP/AVP 96 } } } } }");
        assertThat(errorCode(r)).as(mgc.lastRaw).isEqualTo(ErrorCode.NOT_IMPLEMENTED.code());
        assertThat(mgc.lastRaw).contains("Remote SDP has 2 m= lines (m=audio, m=video)");
        assertThat(gateway.plane().contexts()).as("nothing half created").isEmpty();
    }
}
