package io.hopgate.control.sip;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.media.Await;
import io.hopgate.media.RtpPeer;
import io.hopgate.media.Termination;
import io.hopgate.rtp.sdp.SessionDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.hopgate.control.sip.TestUa.finalResponse;
import static io.hopgate.control.sip.TestUa.request;
import static io.hopgate.control.sip.TestUa.response;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boots a real gateway and the SIP mobility server on loopback, drives them with plain-text SIP user agents
 * and checks the media with real RTP (docs/architecture.md section 2.6).
 */
class SipMobilityServerTest {
    private static final Duration SIP = Duration.ofSeconds(3);
    private static final Duration ARRIVAL = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(200);

    private GatewayService gateway;
    private SipMobilityServer server;
    private TestUa alice;
    private TestUa bob;
    private final List<RtpPeer> peers = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        start(List.of());
    }

    private void start(List<String> extraSettings) throws Exception {
        List<String> settings = new ArrayList<>(List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=28000", "media.port-max=28999",
            // The move buffer's age bound (200 ms by default) is not under test: on a loaded machine bob's re-INVITE
            // may come later than that after the first held packet, which would then be dropped as stale.
            "media.move-buffer-ms=10000"));
        settings.addAll(extraSettings);
        gateway = new GatewayService(Config.load(null, settings));
        gateway.start();
        server = SipMobilityServer.start(new InetSocketAddress("127.0.0.1", 0), gateway.controlAddress());
        alice = new TestUa("alice@example.com", server.sipAddress());
        bob = new TestUa("bob@example.com", server.sipAddress());
    }

    private void restart(String... settings) throws Exception {
        alice.close();
        bob.close();
        server.close();
        gateway.close();
        start(List.of(settings));
    }

    @AfterEach
    void stop() throws Exception {
        alice.close();
        bob.close();
        server.close();
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

    /** An answered call as both parties see it: their dialogs and the gateway address each one sends to. */
    private record Call(TestUa.Dialog alice, TestUa.Dialog bob, InetSocketAddress gatewayForAlice,
                        InetSocketAddress gatewayForBob, String sdpToAlice, String sdpToBob) {
    }

    private static InetSocketAddress media(String sdp) throws Exception {
        SessionDescription d = SessionDescription.parse(sdp);
        return new InetSocketAddress(d.connectionAddress(), d.port());
    }

    private void registerBoth() throws Exception {
        assertThat(alice.register(3600, SIP).status()).isEqualTo(200);
        assertThat(bob.register(3600, SIP).status()).isEqualTo(200);
    }

    /** alice calls bob by name; bob rings and answers; both ACKs are sent. */
    private Call call(RtpPeer alicePeer, RtpPeer bobPeer) throws Exception {
        TestUa.Dialog a = alice.request("INVITE", "bob@example.com", TestUa.sdp("alice", alicePeer.port()));
        TestUa.Msg invite = bob.next(request("INVITE"), SIP);
        TestUa.Dialog b = bob.dialogFrom(invite, "bobtag");
        bob.reply(invite, 180, "Ringing", "bobtag", null);
        assertThat(alice.next(response("INVITE", 180), SIP).header("to")).contains(";tag=");
        bob.reply(invite, 200, "OK", "bobtag", TestUa.sdp("bob", bobPeer.port()));
        bob.next(request("ACK"), SIP);
        TestUa.Msg ok = alice.next(finalResponse("INVITE"), SIP);
        assertThat(ok.status()).isEqualTo(200);
        TestUa.established(a, ok);
        alice.ack(a, a.cseq);
        return new Call(a, b, media(ok.body()), media(invite.body()), ok.body(), invite.body());
    }

    @Test
    void shouldRegisterWithContactAndExpiresAndUnregisterWithExpiresZero() throws Exception {
        TestUa.Msg ok = bob.register(600, SIP);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("contact")).contains(bob.contactUri());
        assertThat(Integer.parseInt(ok.header("expires"))).isBetween(590, 600);
        assertThat(server.contact("bob@example.com")).isEqualTo(bob.contactUri());

        assertThat(bob.register(0, SIP).status()).isEqualTo(200);
        assertThat(server.contact("bob@example.com")).isNull();
        alice.request("INVITE", "bob@example.com", TestUa.sdp("alice", 40000));
        assertThat(alice.next(finalResponse("INVITE"), SIP).status()).isEqualTo(404);
    }

    @Test
    void shouldTagTheToHeaderOfEveryRegisterResponse() throws Exception {
        // RFC 3261 8.2.6.2: a UAS adds a To tag to its responses (100 Trying excepted), a registrar's 200 too.
        TestUa.Msg ok = bob.register(600, SIP);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("to")).contains("bob@example.com").containsPattern(";tag=[^;\\s]+");
        TestUa.Msg removed = bob.register(0, SIP);
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.header("to")).containsPattern(";tag=[^;\\s]+");
    }

    @Test
    void shouldAnswerOptionsWith200() throws Exception {
        alice.request("OPTIONS", "hopgate@example.com", null);
        assertThat(alice.next(finalResponse("OPTIONS"), SIP).status()).isEqualTo(200);
    }

    @Test
    void shouldAnswer404ForAnUnknownNameAndCreateNoContext() throws Exception {
        registerBoth();
        alice.request("INVITE", "carol@example.com", TestUa.sdp("alice", 40000));
        assertThat(alice.next(response("INVITE", 100), SIP)).isNotNull();
        assertThat(alice.next(finalResponse("INVITE"), SIP).status()).isEqualTo(404);
        assertThat(gateway.plane().contexts()).isEmpty();
    }

    @Test
    void shouldCallByNameAndAnchorMediaBothWaysThroughTheGateway() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobPeer = peer(0xB1);
        Call call = call(alicePeer, bobPeer);

        assertThat(gateway.plane().contexts()).hasSize(1);
        assertThat(call.gatewayForAlice().getPort()).isBetween(28000, 28999);
        assertThat(call.gatewayForBob().getPort()).isBetween(28000, 28999).isNotEqualTo(call.gatewayForAlice()
            .getPort());
        alicePeer.send(call.gatewayForAlice(), 1);
        bobPeer.send(call.gatewayForBob(), 2);
        assertThat(bobPeer.receive(ARRIVAL)).isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(1);
        assertThat(alicePeer.receive(ARRIVAL)).isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(2);
    }

    @Test
    void shouldMoveBobMidCallWithoutTellingAliceAndKeepHerStreamContinuous() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobOld = peer(0xB1);
        RtpPeer bobNew = peer(0xB2);
        Call call = call(alicePeer, bobOld);
        List<RtpPeer.Received> atAlice = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bobOld.send(call.gatewayForBob(), 100 + i);
            atAlice.add(alicePeer.receive(ARRIVAL));
        }

        // bob's address changes: a re-INVITE whose SDP carries the new port.
        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        TestUa.Msg ok = bob.next(finalResponse("INVITE"), SIP);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).as("the gateway's side towards bob is unchanged").isEqualTo(call.sdpToBob());
        bob.ack(call.bob(), call.bob().cseq);

        alicePeer.send(call.gatewayForAlice(), 7);
        RtpPeer.Received atNew = bobNew.receive(ARRIVAL);
        assertThat(atNew).as("alice's speech reaches bob's new address").isNotNull();
        assertThat(atNew.tag()).isEqualTo(7);
        assertThat(bobOld.drain(QUIET)).as("nothing more to the old address").isZero();
        for (int i = 0; i < 5; i++) {
            bobNew.send(call.gatewayForBob(), 200 + i);
            atAlice.add(alicePeer.receive(ARRIVAL));
        }
        assertThat(atAlice).doesNotContainNull();
        assertThat(atAlice).extracting(RtpPeer.Received::tag).containsExactly(100, 101, 102, 103, 104,
            200, 201, 202, 203, 204);
        assertThat(atAlice).extracting(RtpPeer.Received::ssrc).as("one SSRC across the move").containsOnly(
            atAlice.get(0).ssrc());
        for (int i = 1; i < atAlice.size(); i++) {
            assertThat(atAlice.get(i).sequence()).as("sequence %d follows %d", i, i - 1)
                .isEqualTo((atAlice.get(i - 1).sequence() + 1) & 0xFFFF);
        }
        assertThat(alice.poll(request("INVITE"), QUIET)).as("alice gets no re-INVITE").isNull();
        assertThat(gateway.plane().contexts()).hasSize(1);
    }

    @Test
    void shouldKeepBobsOldAddressUntilHisNewOneIsHeardAfterHeMoves() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobOld = peer(0xB1);
        RtpPeer bobNew = peer(0xB2);
        Call call = call(alicePeer, bobOld);
        bobOld.send(call.gatewayForBob(), 100);
        assertThat(alicePeer.receive(ARRIVAL)).isNotNull();

        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        assertThat(bob.next(finalResponse("INVITE"), SIP).status()).isEqualTo(200);
        bob.ack(call.bob(), call.bob().cseq);
        // What bob sent from his old address just before he moved still arrives (RFC 3264 section 8.3.1) ...
        bobOld.send(call.gatewayForBob(), 101);
        assertThat(alicePeer.receive(ARRIVAL)).as("dual receive for a party that moved").isNotNull()
            .extracting(RtpPeer.Received::tag).isEqualTo(101);
        // ... until the first packet from the new one: from then on the old address is refused.
        bobNew.send(call.gatewayForBob(), 200);
        assertThat(alicePeer.receive(ARRIVAL)).isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(200);
        bobOld.send(call.gatewayForBob(), 102);
        bobNew.send(call.gatewayForBob(), 201);
        assertThat(alicePeer.receive(ARRIVAL)).isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(201);
        assertThat(alicePeer.drain(QUIET)).as("nothing from the old address once the new one is heard").isZero();
    }

    @Test
    void shouldNotForwardPacketsFromAForeignSourceToBobsGatewayPort() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobPeer = peer(0xB1);
        RtpPeer intruder = peer(0xEE);
        Call call = call(alicePeer, bobPeer);

        for (int i = 0; i < 5; i++) {
            intruder.send(call.gatewayForBob(), 666);
        }
        assertThat(alicePeer.drain(QUIET)).as("the intruder's packets are dropped").isZero();
        bobPeer.send(call.gatewayForBob(), 3);
        assertThat(alicePeer.receive(ARRIVAL)).isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(3);
        alicePeer.send(call.gatewayForAlice(), 4);
        assertThat(bobPeer.receive(ARRIVAL)).isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(4);
        assertThat(intruder.drain(QUIET)).as("the intruder does not get bob's leg").isZero();
    }

    @Test
    void shouldAnswer491ToACrossingReInviteWhileAMoveIsInProgress() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobOld = peer(0xB1);
        RtpPeer bobNew = peer(0xB2);
        RtpPeer aliceNew = peer(0xA2);
        Call call = call(alicePeer, bobOld);
        CompletableFuture<Void> held = new CompletableFuture<>();
        server.beforeMove = aor -> aor.equals("bob@example.com") ? held : CompletableFuture.completedFuture(null);

        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        bob.next(response("INVITE", 100), SIP);
        alice.inDialog(call.alice(), "INVITE", TestUa.sdp("alice", aliceNew.port()));
        TestUa.Msg glare = alice.next(finalResponse("INVITE"), SIP);
        assertThat(glare.status()).isEqualTo(491);
        alice.ack(call.alice(), call.alice().cseq);

        held.complete(null);
        assertThat(bob.next(finalResponse("INVITE"), SIP).status()).isEqualTo(200);
        bob.ack(call.bob(), call.bob().cseq);
        // alice retries (RFC 3261 14.1) and now moves too.
        alice.inDialog(call.alice(), "INVITE", TestUa.sdp("alice", aliceNew.port()));
        TestUa.Msg ok = alice.next(finalResponse("INVITE"), SIP);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(call.sdpToAlice());
        alice.ack(call.alice(), call.alice().cseq);

        assertThat(speechArrives(aliceNew, call.gatewayForAlice(), bobNew, 8)).isBetween(8, 10);
        assertThat(speechArrives(bobNew, call.gatewayForBob(), aliceNew, 18)).isBetween(18, 20);
    }

    @Test
    void shouldEndTheCallOnByeFromEitherSideAndFreeTheContext() throws Exception {
        registerBoth();
        Call first = call(peer(0xA1), peer(0xB1));
        alice.inDialog(first.alice(), "BYE", null);
        assertThat(alice.next(finalResponse("BYE"), SIP).status()).isEqualTo(200);
        TestUa.Msg bye = bob.next(request("BYE"), SIP);
        bob.reply(bye, 200, "OK", null, null);
        Await.until("context freed after alice's BYE", Duration.ofSeconds(3),
            () -> gateway.plane().contexts().isEmpty());

        Call second = call(peer(0xA2), peer(0xB2));
        assertThat(gateway.plane().contexts()).hasSize(1);
        bob.inDialog(second.bob(), "BYE", null);
        assertThat(bob.next(finalResponse("BYE"), SIP).status()).isEqualTo(200);
        bye = alice.next(request("BYE"), SIP);
        alice.reply(bye, 200, "OK", null, null);
        Await.until("context freed after bob's BYE", Duration.ofSeconds(3),
            () -> gateway.plane().contexts().isEmpty());
        assertThat(server.calls()).isZero();
    }

    @Test
    void shouldCancelARingingCallAndFreeTheContext() throws Exception {
        registerBoth();
        TestUa.Dialog a = alice.request("INVITE", "bob@example.com", TestUa.sdp("alice", 40000));
        TestUa.Msg invite = bob.next(request("INVITE"), SIP);
        bob.reply(invite, 180, "Ringing", "bobtag", null);
        alice.next(response("INVITE", 180), SIP);
        // CANCEL repeats the INVITE's Via branch, Call-ID, From, To and CSeq number (RFC 3261 9.1).
        assertThat(gateway.plane().contexts()).hasSize(1);
        alice.cancel(a);
        assertThat(alice.next(finalResponse("CANCEL"), SIP).status()).isEqualTo(200);
        assertThat(alice.next(finalResponse("INVITE"), SIP).status()).isEqualTo(487);
        TestUa.Msg cancel = bob.next(request("CANCEL"), SIP);
        bob.reply(cancel, 200, "OK", null, null);
        bob.reply(invite, 487, "Request Terminated", "bobtag", null);
        Await.until("context freed after CANCEL", Duration.ofSeconds(3), () -> gateway.plane().contexts().isEmpty());
    }
    @Test
    void shouldKeepABindingWhenAnotherContactUnregisters() throws Exception {
        assertThat(bob.register(600, SIP).status()).isEqualTo(200);
        assertThat(bob.register(0, "sip:bob@127.0.0.1:9", SIP).status()).isEqualTo(200);
        assertThat(server.contact("bob@example.com")).isEqualTo(bob.contactUri());
    }

    @Test
    void shouldAskForARetryWhenASecondInviteOverlapsAnUnansweredOne() throws Exception {
        registerBoth();
        Call call = call(peer(0xA1), peer(0xB1));
        RtpPeer bobNew = peer(0xB2);
        CompletableFuture<Void> held = new CompletableFuture<>();
        server.beforeMove = aor -> held;
        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        int first = call.bob().cseq;
        bob.next(response("INVITE", 100), SIP);
        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        TestUa.Msg overlap = bob.next(m -> !m.isRequest() && m.status() >= 200
            && m.header("cseq").startsWith(call.bob().cseq + " "), SIP);
        // RFC 3261 14.2 asks for 500 + Retry-After here; the JAIN-SIP dialog layer answers the overlapping INVITE
        // itself with 491 + Retry-After before the server sees it. Either tells the UA to retry later.
        assertThat(overlap.status()).as(overlap.toString()).isEqualTo(491);
        assertThat(overlap.header("retry-after")).isNotNull();
        held.complete(null);
        TestUa.Msg ok = bob.next(m -> !m.isRequest() && m.status() >= 200
            && m.header("cseq").startsWith(first + " "), SIP);
        assertThat(ok.status()).isEqualTo(200);
    }
    @Test
    void shouldRelayTheCalleesRejectionAndFreeTheContext() throws Exception {
        registerBoth();
        alice.request("INVITE", "bob@example.com", TestUa.sdp("alice", 40000));
        TestUa.Msg invite = bob.next(request("INVITE"), SIP);
        bob.reply(invite, 486, "Busy Here", "bobtag", null);
        assertThat(alice.next(finalResponse("INVITE"), SIP).status()).isEqualTo(486);
        Await.until("context freed after the rejection", Duration.ofSeconds(3),
            () -> gateway.plane().contexts().isEmpty());
        assertThat(server.calls()).isZero();
    }

    @Test
    void shouldHoldAlicesSpeechFromBobsNewRegistrationUntilHisReInviteAndLoseNothing() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobOld = peer(0xB1);
        RtpPeer bobNew = peer(0xB2);
        Call call = call(alicePeer, bobOld);
        alicePeer.send(call.gatewayForAlice(), 0);
        assertThat(bobOld.receive(ARRIVAL)).isNotNull();

        // bob's device announces its new contact first (the move is signalled before the old path dies) ...
        assertThat(bob.register(3600, "sip:bob@127.0.0.1:" + bobNew.port(), SIP).status()).isEqualTo(200);
        io.hopgate.media.Await.until("bob's leg marked moving",
            () -> gateway.plane().terminations().stream().anyMatch(io.hopgate.media.Termination::isMoving));
        // ... alice keeps talking meanwhile ...
        for (int i = 1; i <= 5; i++) {
            alicePeer.send(call.gatewayForAlice(), i);
        }
        // Counted on receipt, held a moment later: wait for the buffer, not for the receipt.
        io.hopgate.media.Await.until("alice's 5 packets held",
            () -> gateway.plane().terminations().stream().mapToInt(io.hopgate.media.Termination::moveHeld).sum() == 5);
        // ... then the re-INVITE with the new address.
        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        assertThat(bob.next(finalResponse("INVITE"), SIP).status()).isEqualTo(200);
        bob.ack(call.bob(), call.bob().cseq);
        alicePeer.send(call.gatewayForAlice(), 6);

        List<Integer> tags = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            RtpPeer.Received r = bobNew.receive(ARRIVAL);
            assertThat(r).as("packet " + i + " at bob's new address").isNotNull();
            tags.add(r.tag());
        }
        assertThat(tags).as("held packets first, in order, then live; none lost").containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(bobOld.drain(QUIET)).as("nothing to the old address once the move was announced").isZero();
        assertThat(bobNew.drain(QUIET)).as("nothing duplicated").isZero();
    }

    /** A party's leg on the gateway: the termination whose Remote is {@code partyPort}. */
    private Termination legFacing(int partyPort) {
        return gateway.plane().terminations().stream()
            .filter(t -> t.remote() != null && t.remote().rtp().getPort() == partyPort)
            .findFirst().orElseThrow(() -> new AssertionError("no termination with Remote port " + partyPort));
    }

    /**
     * Sends speech from {@code from} to the gateway until {@code to} hears it (at most 3 packets, tags
     * {@code firstTag}..+2) and returns the tag heard. Right after both parties moved, a first packet was seen lost
     * twice in many suite runs (not reproduced in 40 repetitions alone); a path that carries the second packet is a
     * working path, a path that carries none fails with the state of every leg.
     */
    private int speechArrives(RtpPeer from, InetSocketAddress gateway, RtpPeer to, int firstTag) throws Exception {
        for (int tag = firstTag; tag < firstTag + 3; tag++) {
            from.send(gateway, tag);
            RtpPeer.Received r = to.receive(ARRIVAL);
            if (r != null) {
                return r.tag();
            }
        }
        StringBuilder legs = new StringBuilder();
        for (Termination t : this.gateway.plane().terminations()) {
            legs.append("\n  ").append(t.id()).append(" remote=").append(t.remote()).append(" mode=").append(t.mode())
                .append(" moving=").append(t.isMoving()).append(" stats=").append(t.statistics());
        }
        throw new AssertionError("3 packets from " + from.address() + " via " + gateway + " never reached "
            + to.address() + legs);
    }

    /** A call with bob at his old address, bob's next address ready, and alice's first 5 packets at bob. */
    private record BobMoves(RtpPeer alicePeer, RtpPeer bobOld, RtpPeer bobNew, Call call, Termination bobsLeg,
                            List<RtpPeer.Received> atBob) {
    }

    private BobMoves callAndSendFivePacketsToBobsOldAddress() throws Exception {
        registerBoth();
        RtpPeer alicePeer = peer(0xA1);
        RtpPeer bobOld = peer(0xB1);
        RtpPeer bobNew = peer(0xB2);
        Call call = call(alicePeer, bobOld);
        Termination bobsLeg = legFacing(bobOld.port());
        List<RtpPeer.Received> atBob = new ArrayList<>();
        for (int tag = 0; tag < 5; tag++) {
            alicePeer.send(call.gatewayForAlice(), tag);
            atBob.add(bobOld.receive(ARRIVAL));
        }
        return new BobMoves(alicePeer, bobOld, bobNew, call, bobsLeg, atBob);
    }

    @Test
    void shouldCountWhatIsLostWhenTheOldAddressDiesBeforeAReInviteThatNobodyAnnounced() throws Exception {
        restart("media.move-on-unreachable=false"); // the buffer is off: only signalling would start a move
        BobMoves m = callAndSendFivePacketsToBobsOldAddress();

        // bob's old address dies with no REGISTER first and the ICMP unreachable is ignored: nothing marks his leg
        // moving, so nothing is held ...
        m.bobOld().close();
        for (int tag = 5; tag < 10; tag++) {
            m.alicePeer().send(m.call().gatewayForAlice(), tag);
        }
        Await.until("alice's 10 packets sent towards bob's dead address", Duration.ofSeconds(3),
            () -> m.bobsLeg().statistics().packetsSent() == 10);
        assertThat(m.bobsLeg().isMoving()).isFalse();
        assertThat(m.bobsLeg().moveHeld()).isZero();
        // ... and only then does the re-INVITE with the new address arrive.
        bob.inDialog(m.call().bob(), "INVITE", TestUa.sdp("bob", m.bobNew().port()));
        assertThat(bob.next(finalResponse("INVITE"), SIP).status()).isEqualTo(200);
        bob.ack(m.call().bob(), m.call().bob().cseq);
        for (int tag = 10; tag < 15; tag++) {
            m.alicePeer().send(m.call().gatewayForAlice(), tag);
            m.atBob().add(m.bobNew().receive(ARRIVAL));
        }

        int sent = 15;
        assertThat(m.atBob()).doesNotContainNull();
        assertThat(m.atBob()).extracting(RtpPeer.Received::tag).as("the dead window's packets are not replayed")
            .containsExactly(0, 1, 2, 3, 4, 10, 11, 12, 13, 14);
        assertThat(m.bobNew().drain(QUIET)).as("nothing held to flush late").isZero();
        int gap = ((m.atBob().get(5).sequence() - m.atBob().get(4).sequence()) & 0xFFFF) - 1;
        assertThat(gap).as("the loss shows as a sequence gap at bob, the size of the dead window").isEqualTo(5);
        assertThat(m.atBob().size() + gap).as("received + gap = sent: visible and bounded, not silently zero")
            .isEqualTo(sent);
        Await.until("the gateway counts all 15 sent on bob's leg, 5 of them into the dead address",
            Duration.ofSeconds(3), () -> m.bobsLeg().statistics().packetsSent() == sent);
        assertThat(m.bobsLeg().moveOverflow() + m.bobsLeg().moveStale() + m.bobsLeg().moveFlushed()).isZero();
    }

    @Test
    void shouldHoldWhatIsMeantForADeadOldAddressUntilTheReInviteAndLoseAtMostOnePacket() throws Exception {
        restart("media.connect-sockets=true"); // connected sockets are what report the ICMP
        BobMoves m = callAndSendFivePacketsToBobsOldAddress();

        // bob's old address dies unannounced. The first packet into it comes back as ICMP port unreachable; from
        // then on the gateway holds what is meant for bob (media.move-on-unreachable, on by default).
        m.bobOld().close();
        for (int tag = 5; tag < 10; tag++) {
            m.alicePeer().send(m.call().gatewayForAlice(), tag);
            int taken = tag + 1;
            Await.until("alice's packet " + tag + " taken", Duration.ofSeconds(3),
                () -> m.bobsLeg().statistics().packetsSent() == taken);
            if (tag == 5) {
                // Real RTP is 20 ms apart and the ICMP comes back within microseconds on loopback; this test sends
                // back to back, so it waits for the report (a loaded host once let packet 6 out before it).
                Await.until("bob's leg moving after the ICMP", Duration.ofSeconds(3), m.bobsLeg()::isMoving);
            }
        }
        Await.until("bob's leg moving after the ICMP", Duration.ofSeconds(3), m.bobsLeg()::isMoving);
        assertThat(m.bobsLeg().counters().unreachable()).isPositive();
        bob.inDialog(m.call().bob(), "INVITE", TestUa.sdp("bob", m.bobNew().port()));
        assertThat(bob.next(finalResponse("INVITE"), SIP).status()).isEqualTo(200);
        bob.ack(m.call().bob(), m.call().bob().cseq);
        for (RtpPeer.Received r = m.bobNew().receive(ARRIVAL); r != null; r = m.bobNew().receive(QUIET)) {
            m.atBob().add(r); // what was held, flushed by the re-INVITE's Modify
        }
        for (int tag = 10; tag < 15; tag++) {
            m.alicePeer().send(m.call().gatewayForAlice(), tag);
            m.atBob().add(m.bobNew().receive(ARRIVAL));
        }

        assertThat(m.atBob()).doesNotContainNull();
        List<Integer> tags = m.atBob().stream().map(RtpPeer.Received::tag).toList();
        assertThat(tags.size()).as("at most the packet in flight when the peer died is lost: %s", tags)
            .isGreaterThanOrEqualTo(14);
        for (int i = 1; i < m.atBob().size(); i++) {
            assertThat(tags.get(i)).as("in order, nothing duplicated: %s", tags).isGreaterThan(tags.get(i - 1));
            assertThat(m.atBob().get(i).ssrc()).isEqualTo(m.atBob().get(0).ssrc());
        }
        assertThat(m.bobsLeg().moveFlushed()).isGreaterThanOrEqualTo(4);
        assertThat(m.bobsLeg().isMoving()).isFalse();
    }

    @Test
    void shouldFollowBothPartiesWhenTheyMoveAtOnce() throws Exception {
        registerBoth();
        RtpPeer aliceOld = peer(0xA1);
        RtpPeer bobOld = peer(0xB1);
        RtpPeer aliceNew = peer(0xA2);
        RtpPeer bobNew = peer(0xB2);
        Call call = call(aliceOld, bobOld);

        // Both re-INVITE back to back. A re-INVITE that crosses the other's move is answered 491 (RFC 3261 14.2);
        // that party then retries (14.1) until both moves are done.
        alice.inDialog(call.alice(), "INVITE", TestUa.sdp("alice", aliceNew.port()));
        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        moveUntilAccepted(alice, call.alice(), aliceNew, call.sdpToAlice());
        moveUntilAccepted(bob, call.bob(), bobNew, call.sdpToBob());

        assertThat(speechArrives(aliceNew, call.gatewayForAlice(), bobNew, 21))
            .as("alice's speech from her new address at bob's new address").isBetween(21, 23);
        assertThat(speechArrives(bobNew, call.gatewayForBob(), aliceNew, 31))
            .as("bob's speech from his new address at alice's new address").isBetween(31, 33);
        assertThat(aliceOld.drain(QUIET)).as("nothing to alice's old address").isZero();
        assertThat(bobOld.drain(QUIET)).as("nothing to bob's old address").isZero();
        assertThat(gateway.plane().contexts()).hasSize(1);
    }

    /**
     * The race that kept connected sockets off by default (a first packet lost right after both parties moved at
     * once) stays closed: each remote is published together with its socket's connect on the owning loop
     * (docs/architecture.md, connected sockets). Strict: the first packet each way must arrive, every repetition.
     */
    @org.junit.jupiter.api.RepeatedTest(8)
    void shouldCarryTheFirstPacketEachWayRightAfterBothPartiesMovedAtOnce() throws Exception {
        registerBoth();
        RtpPeer aliceNew = peer(0xA2);
        RtpPeer bobNew = peer(0xB2);
        Call call = call(peer(0xA1), peer(0xB1));
        alice.inDialog(call.alice(), "INVITE", TestUa.sdp("alice", aliceNew.port()));
        bob.inDialog(call.bob(), "INVITE", TestUa.sdp("bob", bobNew.port()));
        moveUntilAccepted(alice, call.alice(), aliceNew, call.sdpToAlice());
        moveUntilAccepted(bob, call.bob(), bobNew, call.sdpToBob());
        aliceNew.send(call.gatewayForAlice(), 41);
        bobNew.send(call.gatewayForBob(), 51);
        RtpPeer.Received atBob = bobNew.receive(ARRIVAL);
        RtpPeer.Received atAlice = aliceNew.receive(ARRIVAL);
        assertThat(atBob).as("alice's first packet after both moves, at bob").isNotNull();
        assertThat(atBob.tag()).isEqualTo(41);
        assertThat(atAlice).as("bob's first packet after both moves, at alice").isNotNull();
        assertThat(atAlice.tag()).isEqualTo(51);
    }

    /** Waits for the final response to {@code ua}'s re-INVITE; after a 491 the move is sent again (RFC 3261 14.1). */
    private static void moveUntilAccepted(TestUa ua, TestUa.Dialog dialog, RtpPeer newAddress, String sdpFromGateway)
        throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            // Only the answer to this CSeq: the server may still retransmit an earlier 491 (RFC 3261 17.2.1).
            int cseq = dialog.cseq;
            TestUa.Msg answer = ua.next(m -> finalResponse("INVITE").test(m)
                && m.header("cseq").startsWith(cseq + " "), SIP);
            ua.ack(dialog, cseq);
            if (answer.status() == 200) {
                assertThat(answer.body()).as("the gateway's side towards %s is unchanged", ua.aor)
                    .isEqualTo(sdpFromGateway);
                return;
            }
            assertThat(answer.status()).as(answer.toString()).isEqualTo(491);
            assertThat(System.nanoTime() - deadline).as("%s's move accepted within 10 s", ua.aor).isNegative();
            ua.inDialog(dialog, "INVITE", TestUa.sdp(ua.aor.substring(0, ua.aor.indexOf('@')), newAddress.port()));
        }
    }

    @Test
    void shouldReachAPartysNewContactOnTheNextCallAfterItRegistersAgainBetweenCalls() throws Exception {
        registerBoth();
        Call first = call(peer(0xA1), peer(0xB1));
        alice.inDialog(first.alice(), "BYE", null);
        assertThat(alice.next(finalResponse("BYE"), SIP).status()).isEqualTo(200);
        bob.reply(bob.next(request("BYE"), SIP), 200, "OK", null, null);
        Await.until("the first call's context freed", Duration.ofSeconds(3),
            () -> gateway.plane().contexts().isEmpty());

        try (TestUa bobMoved = new TestUa("bob@example.com", server.sipAddress())) {
            assertThat(bobMoved.register(3600, SIP).status()).isEqualTo(200);
            assertThat(server.contact("bob@example.com")).isEqualTo(bobMoved.contactUri());
            RtpPeer alicePeer = peer(0xA3);
            RtpPeer bobPeer = peer(0xB3);
            alice.request("INVITE", "bob@example.com", TestUa.sdp("alice", alicePeer.port()));
            TestUa.Msg invite = bobMoved.next(request("INVITE"), SIP);
            bobMoved.reply(invite, 200, "OK", "bobtag2", TestUa.sdp("bob", bobPeer.port()));
            bobMoved.next(request("ACK"), SIP);
            TestUa.Msg ok = alice.next(finalResponse("INVITE"), SIP);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(bob.poll(request("INVITE"), QUIET)).as("bob's old contact is not called").isNull();

            alicePeer.send(media(ok.body()), 31);
            assertThat(bobPeer.receive(ARRIVAL)).as("alice's speech at bob's new device")
                .isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(31);
        }
    }

    @Test
    void shouldAnswer503NamingTheGatewaysH248ErrorWhenItRefusesTheCall() throws Exception {
        // A gateway with one RTP port pair: the call's first Add takes it, the second is refused (510,
        // docs/architecture.md section 5.3).
        server.close();
        gateway.close();
        gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=28000", "media.port-max=28001")));
        gateway.start();
        server = SipMobilityServer.start(new InetSocketAddress("127.0.0.1", 0), gateway.controlAddress());
        try (TestUa caller = new TestUa("alice@example.com", server.sipAddress());
             TestUa callee = new TestUa("bob@example.com", server.sipAddress())) {
            assertThat(callee.register(3600, SIP).status()).isEqualTo(200);
            caller.request("INVITE", "bob@example.com", TestUa.sdp("alice", 40000));
            TestUa.Msg refused = caller.next(finalResponse("INVITE"), SIP);

            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.header("warning")).as(refused.toString()).startsWith("399 ").contains("error 510");
            assertThat(callee.poll(request("INVITE"), QUIET)).as("bob is not called").isNull();
            Await.until("the Add that succeeded is undone", Duration.ofSeconds(3),
                () -> gateway.plane().contexts().isEmpty() && gateway.plane().portPairsInUse() == 0);
            assertThat(server.calls()).isZero();
        }
    }
}
