package io.hopgate.control.ng;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.ng.Bencode.BList;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.ng.Bencode.Int;
import io.hopgate.media.Await;
import io.hopgate.media.RtpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.hopgate.control.ng.NgTestClient.audioPort;
import static io.hopgate.control.ng.NgTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

/** Drives the real gateway daemon over ng (UDP) as Kamailio's rtpengine module does, with real RTP. */
class NgDaemonTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(2);
    private static final Duration QUIET = Duration.ofMillis(150);

    private GatewayService gateway;
    private NgTestClient proxy;
    private final List<RtpPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        start(List.of());
    }

    private void start(List<String> extra) throws Exception {
        if (gateway != null) {
            stop();
        }
        List<String> sets = new ArrayList<>(List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "ng.listen=127.0.0.1:0", "media.port-min=25200", "media.port-max=25399"));
        sets.addAll(extra);
        gateway = new GatewayService(Config.load(null, sets));
        gateway.start();
        proxy = new NgTestClient(gateway.ngAddress());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        gateway.close();
        gateway = null;
        for (RtpPeer p : peers) {
            p.close();
        }
        peers.clear();
    }

    private RtpPeer peer(int ssrc) throws Exception {
        RtpPeer p = new RtpPeer(ssrc);
        peers.add(p);
        return p;
    }

    static String sdp(int port, String... extra) {
        StringBuilder s = new StringBuilder("v=0\r\no=user 123 456 IN IP4 127.0.0.1\r\ns=call\r\nc=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\nm=audio " + port + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n");
        for (String line : extra) {
            s.append(line).append("\r\n");
        }
        return s.toString();
    }

    static Dict offer(String callId, String fromTag, String sdp, Object... more) {
        Bencode.DictBuilder d = Bencode.dict().put("command", "offer").put("call-id", callId)
            .put("from-tag", fromTag).put("via-branch", "z9hG4bK1").put("sdp", sdp)
            .put("flags", List.of("trust-address")).put("replace", List.of("origin", "session-connection"))
            .put("ICE", "remove").put("received-from", List.of("IP4", "127.0.0.1"));
        for (int i = 0; i < more.length; i += 2) {
            d.put((String) more[i], more[i + 1]);
        }
        return d.build();
    }

    static Dict answer(String callId, String fromTag, String toTag, String sdp) {
        return Bencode.dict().put("command", "answer").put("call-id", callId).put("from-tag", fromTag)
            .put("to-tag", toTag).put("sdp", sdp).put("replace", List.of("origin", "session-connection"))
            .put("ICE", "remove").build();
    }

    private static Dict command(String command, Object... more) {
        Bencode.DictBuilder d = Bencode.dict().put("command", command);
        for (int i = 0; i < more.length; i += 2) {
            d.put((String) more[i], more[i + 1]);
        }
        return d.build();
    }

    /** A call set up over ng: where each party sends to (the port in the SDP it was given). */
    private record Call(InetSocketAddress callerSendsTo, InetSocketAddress calleeSendsTo) {
    }

    private Call setUp(String callId, RtpPeer caller, RtpPeer callee) throws Exception {
        Dict offered = proxy.call(offer(callId, "ftag", sdp(caller.port())));
        assertThat(text(offered, "result")).as(offered.toString()).isEqualTo("ok");
        Dict answered = proxy.call(answer(callId, "ftag", "ttag", sdp(callee.port())));
        assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("ok");
        return new Call(local(audioPort(text(answered, "sdp"))), local(audioPort(text(offered, "sdp"))));
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void shouldAnswerPingWithPong() throws Exception {
        Dict reply = proxy.call(command("ping"));
        assertThat(reply).isEqualTo(Bencode.dict().put("result", "pong").build());
    }

    @Test
    void shouldRewriteTheSdpAndCarryRtpBothWaysThroughThePortsItNames() throws Exception {
        RtpPeer caller = peer(1);
        RtpPeer callee = peer(2);
        Dict offered = proxy.call(offer("c1", "ftag", sdp(caller.port(), "a=sendrecv", "a=rtcp:" + (caller.port() + 1),
            "a=ice-ufrag:abcd", "a=candidate:1 1 udp 2122260223 10.1.1.1 5000 typ host")));
        String toCallee = text(offered, "sdp");
        assertThat(toCallee).as(offered.toString())
            .contains("o=user 123 456 IN IP4 127.0.0.1\r\n", "c=IN IP4 127.0.0.1\r\n",
                "a=rtpmap:101 telephone-event/8000\r\n", "a=fmtp:101 0-16\r\n", "a=ptime:20\r\n", "a=sendrecv\r\n")
            .contains("m=audio " + audioPort(toCallee) + " RTP/AVP 0 8 101\r\n")
            .contains("a=rtcp:" + (audioPort(toCallee) + 1) + "\r\n")
            .doesNotContain("candidate", "ice-ufrag", "a=rtcp:" + (caller.port() + 1));
        assertThat(audioPort(toCallee)).isBetween(25200, 25399).isNotEqualTo(caller.port());
        Dict answered = proxy.call(answer("c1", "ftag", "ttag", sdp(callee.port())));
        String toCaller = text(answered, "sdp");
        assertThat(audioPort(toCaller)).isBetween(25200, 25399).isNotEqualTo(audioPort(toCallee));

        caller.send(local(audioPort(toCaller)), 11);
        callee.send(local(audioPort(toCallee)), 22);
        assertThat(callee.receive(ARRIVAL).tag()).isEqualTo(11);
        assertThat(caller.receive(ARRIVAL).tag()).isEqualTo(22);
        assertThat(gateway.plane().contexts()).as("one call, one context").hasSize(1);
    }

    @Test
    void shouldRepointTheCallerOnAReOfferAndKeepOneStreamTowardTheCallee() throws Exception {
        RtpPeer caller = peer(0x1111);
        RtpPeer callee = peer(0x2222);
        Call call = setUp("c2", caller, callee);
        caller.send(call.callerSendsTo(), 1);
        RtpPeer.Received first = callee.receive(ARRIVAL);

        RtpPeer moved = peer(0x3333); // the caller after a move: new address, new SSRC, its own numbering
        moved.sequence(40_000);
        Dict reoffer = proxy.call(offer("c2", "ftag", sdp(moved.port()), "to-tag", "ttag"));
        assertThat(text(reoffer, "result")).as(reoffer.toString()).isEqualTo("ok");
        assertThat(audioPort(text(reoffer, "sdp"))).as("the callee keeps sending where it did")
            .isEqualTo(call.calleeSendsTo().getPort());
        Dict reanswer = proxy.call(answer("c2", "ftag", "ttag", sdp(callee.port())));
        assertThat(audioPort(text(reanswer, "sdp"))).as("the caller's port stays too")
            .isEqualTo(call.callerSendsTo().getPort());

        caller.send(call.callerSendsTo(), 9); // in flight from the old address when the re-offer came
        RtpPeer.Received late = callee.receive(ARRIVAL);
        assertThat(late).as("dual receive: the old address is heard until the new one speaks").isNotNull();
        assertThat(late.tag()).isEqualTo(9);
        moved.send(call.callerSendsTo(), 2);
        RtpPeer.Received second = callee.receive(ARRIVAL);
        assertThat(second.tag()).isEqualTo(2);
        assertThat(second.ssrc()).as("same SSRC toward the callee").isEqualTo(first.ssrc());
        assertThat(second.sequence()).as("consecutive sequence numbers").isEqualTo((first.sequence() + 2) & 0xFFFF);
        caller.send(call.callerSendsTo(), 10);
        assertThat(callee.drain(QUIET)).as("once the new address spoke, the old one is refused").isZero();
        callee.send(call.calleeSendsTo(), 3);
        assertThat(moved.receive(ARRIVAL).tag()).as("the callee's media follows the caller").isEqualTo(3);
        assertThat(caller.drain(QUIET)).as("nothing to the old address").isZero();
    }

    @Test
    void shouldAcceptMediaOnlyFromTheSignalledAddress() throws Exception {
        RtpPeer caller = peer(1);
        RtpPeer callee = peer(2);
        RtpPeer stranger = peer(1); // even with the caller's SSRC
        Dict offered = proxy.call(offer("c3", "ftag", sdp(caller.port())));
        int calleePort = audioPort(text(offered, "sdp"));
        stranger.send(local(calleePort), 66); // before the answer: the callee's leg accepts nothing
        Dict answered = proxy.call(answer("c3", "ftag", "ttag", sdp(callee.port())));
        int callerPort = audioPort(text(answered, "sdp"));
        stranger.send(local(callerPort), 77);
        stranger.send(local(calleePort), 88);
        assertThat(callee.drain(QUIET)).isZero();
        assertThat(caller.drain(QUIET)).isZero();
        caller.send(local(callerPort), 1);
        assertThat(callee.receive(ARRIVAL).tag()).isEqualTo(1);
        Dict query = proxy.call(command("query", "call-id", "c3"));
        Dict totals = (Dict) query.get("totals");
        // The packet to the callee's leg before the answer is refused by the forwarding rule and counted; once a leg
        // has its address its socket is connected (media.connect-sockets, the default) and the kernel drops strangers.
        assertThat(((Int) ((Dict) totals.get("RTP")).get("errors")).value()).as(query.toString())
            .isGreaterThanOrEqualTo(1);
    }

    @Test
    void shouldAnswerARetransmissionFromTheCacheAndExecuteItOnce() throws Exception {
        RtpPeer caller = peer(1);
        String cookie = NgTestClient.cookie();
        Dict first = proxy.call(cookie, offer("c4", "ftag", sdp(caller.port())));
        byte[] firstBytes = proxy.lastReply;
        Dict again = proxy.call(cookie, offer("c4", "ftag", sdp(caller.port())));
        assertThat(proxy.lastReply).isEqualTo(firstBytes);
        assertThat(again).isEqualTo(first);
        assertThat(gateway.plane().contexts()).hasSize(1);
        assertThat(gateway.plane().terminations()).hasSize(2);
        // A delete retransmitted after it ran gets the delete's reply, not an unknown-call warning.
        String deleteCookie = NgTestClient.cookie();
        Dict deleted = proxy.call(deleteCookie, command("delete", "call-id", "c4", "from-tag", "ftag",
            "delete-delay", 0));
        assertThat(deleted.get("warning")).isNull();
        assertThat(proxy.call(deleteCookie, command("delete", "call-id", "c4", "from-tag", "ftag", "delete-delay", 0)))
            .isEqualTo(deleted);
    }

    @Test
    void shouldQueryListAndDeleteInRtpenginesShape() throws Exception {
        RtpPeer caller = peer(1);
        RtpPeer callee = peer(2);
        Call call = setUp("c5", caller, callee);
        for (int i = 0; i < 3; i++) {
            caller.send(call.callerSendsTo(), i);
            callee.receive(ARRIVAL);
        }
        Dict query = proxy.call(command("query", "call-id", "c5"));
        assertThat(text(query, "result")).isEqualTo("ok");
        Dict tags = (Dict) query.get("tags");
        Dict ftag = (Dict) tags.get("ftag");
        assertThat(text(ftag, "in dialogue with")).isEqualTo("ttag");
        Dict media = (Dict) ((BList) ftag.get("medias")).items().get(0);
        assertThat(text(media, "protocol")).isEqualTo("RTP/AVP");
        Dict rtpStream = (Dict) ((BList) media.get("streams")).items().get(0);
        assertThat(((Int) rtpStream.get("local port")).value()).isEqualTo(call.callerSendsTo().getPort());
        Dict endpoint = (Dict) rtpStream.get("endpoint");
        assertThat(((Int) endpoint.get("port")).value()).isEqualTo(caller.port());
        assertThat(((Int) ((Dict) rtpStream.get("stats")).get("packets")).value()).isEqualTo(3);
        assertThat(((Int) ((Dict) ((Dict) query.get("totals")).get("RTP")).get("packets")).value()).isEqualTo(3);
        assertThat(tags.get("ttag")).isNotNull();

        Dict list = proxy.call(command("list"));
        assertThat(((BList) list.get("calls")).items()).containsExactly(Bencode.Bytes.of("c5"));

        Dict deleted = proxy.call(command("delete", "call-id", "c5", "from-tag", "ftag", "delete-delay", 0));
        assertThat(text(deleted, "result")).isEqualTo("ok");
        assertThat(deleted.get("totals")).as("delete returns the call's totals").isNotNull();
        assertThat(((BList) proxy.call(command("list")).get("calls")).items()).isEmpty();
        assertThat(gateway.plane().contexts()).isEmpty();
        assertThat(text(proxy.call(command("query", "call-id", "c5")), "error-reason"))
            .isEqualTo("unknown call-id 'c5'");
        Dict again = proxy.call(command("delete", "call-id", "c5", "from-tag", "ftag"));
        assertThat(text(again, "result")).isEqualTo("ok");
        assertThat(text(again, "warning")).isEqualTo("unknown call-id 'c5'");
        Dict fatal = proxy.call(command("delete", "call-id", "c5", "flags", List.of("fatal")));
        assertThat(text(fatal, "result")).isEqualTo("error");
    }

    @Test
    void shouldFreeTheCallAfterTheDeleteDelay() throws Exception {
        RtpPeer caller = peer(1);
        proxy.call(offer("c6", "ftag", sdp(caller.port())));
        Dict deleted = proxy.call(command("delete", "call-id", "c6", "from-tag", "ftag", "delete-delay", 1));
        assertThat(text(deleted, "result")).isEqualTo("ok");
        assertThat(((BList) proxy.call(command("list")).get("calls")).items()).as("hidden while it waits").isEmpty();
        assertThat(gateway.plane().contexts()).as("still there during the delay").hasSize(1);
        Await.until("context freed after delete-delay", Duration.ofSeconds(5),
            () -> gateway.plane().contexts().isEmpty());
    }

    @Test
    void shouldHonourTheListLimit() throws Exception {
        RtpPeer caller = peer(1);
        for (int i = 0; i < 3; i++) {
            proxy.call(offer("l" + i, "ftag", sdp(caller.port())));
        }
        assertThat(((BList) proxy.call(command("list", "limit", 2)).get("calls")).items()).hasSize(2);
        assertThat(((BList) proxy.call(command("list")).get("calls")).items()).hasSize(3);
        Dict stats = proxy.call(command("statistics"));
        Dict current = (Dict) ((Dict) stats.get("statistics")).get("currentstatistics");
        assertThat(((Int) current.get("sessionstotal")).value()).isEqualTo(3);
    }

    @Test
    void shouldDemuxRtcpWhenAsked() throws Exception {
        RtpPeer caller = peer(1);
        Dict offered = proxy.call(offer("c7", "ftag", sdp(caller.port(), "a=rtcp-mux", "a=rtcp:" + caller.port()),
            "rtcp-mux", List.of("demux")));
        String toCallee = text(offered, "sdp");
        assertThat(toCallee).doesNotContain("a=rtcp-mux").contains("a=rtcp:" + (audioPort(toCallee) + 1) + "\r\n");
        Dict kept = proxy.call(offer("c8", "ftag", sdp(caller.port(), "a=rtcp-mux")));
        String muxed = text(kept, "sdp");
        assertThat(muxed).contains("a=rtcp-mux\r\n", "a=rtcp:" + audioPort(muxed) + "\r\n");
    }

    @Test
    void shouldReplyWithAnErrorReasonToEveryBadRequestAndKeepServing() throws Exception {
        Map<Dict, String> cases = new java.util.LinkedHashMap<>();
        cases.put(command("dance"), "unknown command 'dance'");
        cases.put(Bencode.dict().put("call-id", "x").build(), "missing 'command'");
        cases.put(command("offer", "call-id", "e1", "from-tag", "f"), "missing 'sdp'");
        cases.put(command("offer", "sdp", sdp(4000), "from-tag", "f"), "missing 'call-id'");
        cases.put(offer("e1", "f", sdp(4000).replace("RTP/AVP", "RTP/SAVP")), "RTP/SAVP");
        cases.put(offer("e1", "f", sdp(4000), "transport-protocol", "RTP/SAVPF"),
            "transport protocol RTP/SAVPF is not supported");
        cases.put(offer("e1", "f", sdp(4000), "ICE", "force"), "ICE=force is not supported");
        cases.put(offer("e1", "f", sdp(4000), "record call", "yes"), "record call is not supported");
        cases.put(offer("e1", "f", sdp(4000), "address family", "IP6"), "address family IP6 asked");
        cases.put(offer("e1", "f", "v=0\r\nm=audio"), "bad SDP");
        cases.put(offer("e1", "f", sdp(4000), "rtcp-mux", List.of("require")), "rtcp-mux require");
        cases.put(answer("nosuch", "f", "t", sdp(4000)), "unknown call-id 'nosuch'");
        cases.put(command("list", "limit", 0), "limit 0 must be greater than 0");
        cases.put(command("query", "call-id", List.of()), "'call-id' must be a string");
        for (Map.Entry<Dict, String> c : cases.entrySet()) {
            Dict reply = proxy.call(c.getKey());
            assertThat(text(reply, "result")).as(c.getKey().toString()).isEqualTo("error");
            assertThat(text(reply, "error-reason")).as(c.getKey().toString()).contains(c.getValue());
            assertThat(reply.entries()).as("no other keys in the error case").hasSize(2);
        }
        assertThat(gateway.plane().contexts()).as("no context left behind by a failed offer").isEmpty();

        String[][] raw = {
            {"r1", "r1 d7:command4:ping", "truncated dictionary"},
            {"r2", "r2 l7:command4:pinge", "must be a bencode dictionary"},
            {"r3", "r3 999999:x", "string length 999999 exceeds"},
            {"r4", "r4 " + "l".repeat(100) + "e".repeat(100), "nesting deeper than 32"},
            {"r5", "r5 ", "truncated: a value was expected"},
        };
        for (String[] r : raw) {
            Dict reply = proxy.raw(r[0], r[1].getBytes(StandardCharsets.ISO_8859_1));
            assertThat(text(reply, "result")).isEqualTo("error");
            assertThat(text(reply, "error-reason")).contains(r[2]);
        }
        assertThat(text(proxy.call(command("ping")), "result")).isEqualTo("pong");
    }

    @Test
    void shouldDropADatagramWithoutACookieAndKeepServing() throws Exception {
        try (java.nio.channels.DatagramChannel ch = java.nio.channels.DatagramChannel.open()) {
            ch.send(java.nio.ByteBuffer.wrap("d7:command4:pinge".getBytes(StandardCharsets.ISO_8859_1)),
                gateway.ngAddress());
        }
        assertThat(text(proxy.call(command("ping")), "result")).isEqualTo("pong");
    }

    @Test
    void shouldRefuseAPeerThatIsNotAllowed() throws Exception {
        start(List.of("ng.allowed-peers=10.9.9.9"));
        Dict reply = proxy.call(command("ping"));
        assertThat(text(reply, "result")).isEqualTo("error");
        assertThat(text(reply, "error-reason")).contains("127.0.0.1 is not allowed");
    }

    @Test
    void shouldHoldMediaForAPartyThatIsMovingAndFlushItInOrderToItsNewAddress() throws Exception {
        RtpPeer caller = peer(0x1111);
        RtpPeer callee = peer(0x2222);
        Call call = setUp("m1", caller, callee);
        callee.send(call.calleeSendsTo(), 1);
        RtpPeer.Received first = caller.receive(ARRIVAL);
        Dict moving = proxy.call(command("move", "call-id", "m1", "from-tag", "ftag"));
        assertThat(text(moving, "result")).as(moving.toString()).isEqualTo("ok");
        for (int i = 2; i <= 6; i++) {
            callee.send(call.calleeSendsTo(), i);
        }
        Await.until("five packets held for the moving caller", Duration.ofSeconds(2), () -> held() == 5);
        assertThat(caller.drain(QUIET)).as("nothing sent to the old address while moving").isZero();
        RtpPeer moved = peer(0x3333);
        proxy.call(offer("m1", "ftag", sdp(moved.port()), "to-tag", "ttag"));
        for (int i = 2; i <= 6; i++) {
            RtpPeer.Received r = moved.receive(ARRIVAL);
            assertThat(r.tag()).as("held packets arrive first, in order").isEqualTo(i);
            assertThat(r.ssrc()).isEqualTo(first.ssrc());
            assertThat(r.sequence()).isEqualTo((first.sequence() + i - 1) & 0xFFFF);
        }
        assertThat(text(proxy.call(command("move", "call-id", "m1", "from-tag", "nobody")), "error-reason"))
            .isEqualTo("call m1 has no party with tag 'nobody'");
    }

    private int held() {
        return gateway.plane().terminations().stream().mapToInt(io.hopgate.media.Termination::moveHeld).sum();
    }

    @Test
    void shouldRefuseAnOfferBeyondMediaMaxContextsWithTheLimitNamed() throws Exception {
        start(List.of("media.max-contexts=1"));
        RtpPeer caller = peer(1);
        assertThat(text(proxy.call(offer("x1", "ftag", sdp(caller.port()))), "result")).isEqualTo("ok");
        Dict refused = proxy.call(offer("x2", "ftag", sdp(caller.port())));
        assertThat(text(refused, "result")).isEqualTo("error");
        assertThat(text(refused, "error-reason")).contains("context limit reached", "media.max-contexts=1");
        assertThat(gateway.metrics().registry().scrape())
            .contains("hopgate_ng_commands_total{command=\"offer\",result=\"ok\"} 1.0")
            .contains("hopgate_ng_commands_total{command=\"offer\",result=\"error\"} 1.0");
    }

    @Test
    void shouldWarnThatItDoesNotLearnAndLatchOnlyWithTheStreamsSsrcWhenMediaLatchIsOn() throws Exception {
        start(List.of("media.latch=true"));
        RtpPeer caller = peer(0x1111);
        RtpPeer callee = peer(0x2222);
        Dict offered = proxy.call(offer("n1", "ftag", sdp(caller.port()), "flags", List.of("media-handover")));
        assertThat(text(offered, "warning")).contains("does not learn", "media.latch=true");
        Dict answered = proxy.call(answer("n1", "ftag", "ttag", sdp(callee.port())));
        InetSocketAddress callerSendsTo = local(audioPort(text(answered, "sdp")));
        caller.send(callerSendsTo, 1);
        assertThat(callee.receive(ARRIVAL).tag()).isEqualTo(1);
        RtpPeer stranger = peer(0x9999);
        stranger.send(callerSendsTo, 2);
        assertThat(callee.drain(QUIET)).as("a stranger's SSRC is not latched").isZero();
        RtpPeer rebound = peer(0x1111); // the caller behind a NAT that rebound: same SSRC, next sequence
        rebound.sequence(1001);
        rebound.send(callerSendsTo, 3);
        assertThat(callee.receive(ARRIVAL).tag()).isEqualTo(3);
        RtpPeer.Received back;
        callee.send(local(audioPort(text(offered, "sdp"))), 4);
        back = rebound.receive(ARRIVAL);
        assertThat(back.tag()).as("media follows the latched source").isEqualTo(4);
    }

    @Test
    void shouldRepointTheCalleeWhenItSendsTheReOffer() throws Exception {
        RtpPeer caller = peer(0x1111);
        RtpPeer callee = peer(0x2222);
        Call call = setUp("r1", caller, callee);
        callee.send(call.calleeSendsTo(), 1);
        RtpPeer.Received first = caller.receive(ARRIVAL);
        RtpPeer moved = peer(0x4444);
        // A re-INVITE from the callee: its From tag is the callee's, its To tag the caller's.
        Dict reoffer = proxy.call(offer("r1", "ttag", sdp(moved.port()), "to-tag", "ftag"));
        assertThat(audioPort(text(reoffer, "sdp"))).as("the SDP for the caller names the port it already uses")
            .isEqualTo(call.callerSendsTo().getPort());
        Dict reanswer = proxy.call(answer("r1", "ttag", "ftag", sdp(caller.port())));
        assertThat(audioPort(text(reanswer, "sdp"))).isEqualTo(call.calleeSendsTo().getPort());
        moved.send(call.calleeSendsTo(), 2);
        RtpPeer.Received second = caller.receive(ARRIVAL);
        assertThat(second.tag()).isEqualTo(2);
        assertThat(second.ssrc()).isEqualTo(first.ssrc());
        assertThat(second.sequence()).isEqualTo((first.sequence() + 1) & 0xFFFF);
        caller.send(call.callerSendsTo(), 3);
        assertThat(moved.receive(ARRIVAL).tag()).isEqualTo(3);
    }
}
