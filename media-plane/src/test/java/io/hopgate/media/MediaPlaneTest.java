package io.hopgate.media;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MediaPlaneTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(150);

    private MediaPlane plane;
    private final List<RtpPeer> peers = new ArrayList<>();

    /**
     * Media ports lie below the kernel's ephemeral range (32768-60999 here): a test socket bound to port 0 (an RtpPeer,
     * another process's client) never takes one of them, so no pair is skipped and counted as in use.
     */
    @BeforeEach
    void start() {
        plane = MediaPlane.start(MediaPlaneConfig.loopback(21000, 21999).withIoThreads(2));
    }

    @AfterEach
    void stop() throws Exception {
        for (RtpPeer p : peers) {
            p.close();
        }
        plane.close();
    }

    private RtpPeer peer(int ssrc) throws Exception {
        RtpPeer p = new RtpPeer(ssrc);
        peers.add(p);
        return p;
    }

    /** Restarts the plane with connected RTP sockets (media.connect-sockets, off by default). */
    private void connected() {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(21000, 21999).withIoThreads(2).withConnectSockets(true));
    }

    /**
     * Packets from {@code from} whose fate is decided: dropped (any reason, including no route), forwarded to
     * {@code to}, or looped back. The receive counter moves before the gates are read, so a test that flips a gate
     * right after it would race the packet it just sent; this moves after.
     */
    private static long decided(Termination from, Termination to) {
        TerminationCounters c = from.counters();
        long n = to.counters().sent() + c.sent();
        for (DropReason r : DropReason.values()) {
            n += c.dropped(r);
        }
        return n;
    }

    private static void awaitDecided(Termination from, Termination to, long before) {
        Await.until(from.id() + "'s packet to be gated", () -> decided(from, to) > before);
    }

    @Test
    void shouldForwardExactlyWhatModeAndTopologyAllowForEveryCombination() throws Exception {
        RtpPeer pa = peer(0xA);
        RtpPeer pb = peer(0xB);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        int tag = 0;
        int checked = 0;
        for (StreamMode ma : StreamMode.values()) {
            for (StreamMode mb : StreamMode.values()) {
                for (int topo = 0; topo < 4; topo++) {
                    plane.mode(a, ma);
                    plane.mode(b, mb);
                    switch (topo) {
                        case 0 -> plane.topology(ctx, a, b, Topology.ISOLATE);
                        case 1 -> plane.topology(ctx, a, b, Topology.ONEWAY);
                        case 2 -> plane.topology(ctx, b, a, Topology.ONEWAY);
                        default -> plane.topology(ctx, a, b, Topology.BOTHWAY);
                    }
                    boolean aToB = topo == 1 || topo == 3;
                    boolean bToA = topo == 2 || topo == 3;
                    String state = ma + "/" + mb + "/topo" + topo;
                    checked += exchange(pa, a, pb, b, ma, mb, aToB, ++tag, state);
                    checked += exchange(pb, b, pa, a, mb, ma, bToA, ++tag, state);
                }
            }
        }
        assertThat(checked).isEqualTo(5 * 5 * 4 * 2);
        assertThat(pa.drain(QUIET)).as("stray packets at A").isZero();
        assertThat(pb.drain(QUIET)).as("stray packets at B").isZero();
    }

    /** Sends one packet from {@code src} and proves where it went: to {@code dst}, back to {@code src}, or nowhere. */
    private int exchange(RtpPeer src, Termination from, RtpPeer dst, Termination to, StreamMode fromMode,
                         StreamMode toMode, boolean flows, int tag, String state) throws Exception {
        long sentBefore = to.counters().sent();
        long loopedBefore = from.counters().sent();
        long before = decided(from, to);
        src.send(from.localRtp(), tag);
        awaitDecided(from, to, before);
        boolean expectForward = fromMode.receives() && fromMode != StreamMode.LOOPBACK && flows && toMode.sends();
        boolean expectLoop = fromMode == StreamMode.LOOPBACK;
        if (expectForward) {
            RtpPeer.Received r = dst.receive(ARRIVAL);
            assertThat(r).as("forwarded in " + state).isNotNull();
            assertThat(r.tag()).as(state).isEqualTo(tag);
        } else {
            assertThat(to.counters().sent()).as("nothing forwarded in " + state).isEqualTo(sentBefore);
        }
        if (expectLoop) {
            RtpPeer.Received r = src.receive(ARRIVAL);
            assertThat(r).as("looped back in " + state).isNotNull();
            assertThat(r.tag()).isEqualTo(tag);
        } else if (!expectForward) {
            assertThat(from.counters().sent()).as("nothing looped in " + state).isEqualTo(loopedBefore);
        }
        if (!fromMode.receives()) {
            assertThat(from.counters().dropped(DropReason.MODE)).isPositive();
        }
        return 1;
    }

    @Test
    void shouldBicastEveryPacketToTwoLegsAndCollapseBackToOne() throws Exception {
        RtpPeer far = peer(1);
        RtpPeer oldLeg = peer(2);
        RtpPeer newLeg = peer(3);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, oldLeg.address());
        Termination b2 = plane.add(ctx, StreamMode.INACTIVE, newLeg.address());
        plane.topology(ctx, b, b2, Topology.ISOLATE);
        plane.topology(ctx, a, b2, Topology.ONEWAY);
        plane.mode(b2, StreamMode.SEND_ONLY);
        for (int i = 0; i < 50; i++) {
            far.send(a.localRtp(), i);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(oldLeg.receive(ARRIVAL)).as("old leg packet " + i).extracting(RtpPeer.Received::tag)
                .isEqualTo(i);
            assertThat(newLeg.receive(ARRIVAL)).as("new leg packet " + i).extracting(RtpPeer.Received::tag)
                .isEqualTo(i);
        }
        // The new leg's uplink does not reach anybody while it is SendOnly and oneway.
        long bDrops = b2.counters().dropped(DropReason.MODE);
        newLeg.send(b2.localRtp(), 999);
        Await.until("mode drop on b'", () -> b2.counters().dropped(DropReason.MODE) > bDrops);
        // Collapse: the old leg leaves; the new one becomes bothway and SendRecv.
        TerminationStatistics stats = plane.subtract(b);
        assertThat(stats.packetsSent()).isEqualTo(50);
        plane.topology(ctx, a, b2, Topology.BOTHWAY);
        plane.mode(b2, StreamMode.SEND_RECV);
        far.send(a.localRtp(), 100);
        newLeg.send(b2.localRtp(), 200);
        assertThat(newLeg.receive(ARRIVAL).tag()).isEqualTo(100);
        assertThat(far.receive(ARRIVAL).tag()).isEqualTo(200);
        assertThat(oldLeg.drain(QUIET)).isZero();
    }

    @Test
    void shouldApplyEachFlipAtThePacketBoundaryUnderTraffic() throws Exception {
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        Random random = new Random(42);
        List<Integer> expected = new ArrayList<>();
        long next = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            // 50 packets/s: pace the sender, flipping mode or topology between packets.
            while (System.nanoTime() < next) {
                Thread.onSpinWait();
            }
            next += 20_000_000L;
            StreamMode mb = StreamMode.values()[random.nextInt(StreamMode.values().length)];
            Topology topo = Topology.values()[random.nextInt(Topology.values().length)];
            if (random.nextBoolean()) {
                plane.mode(b, mb);
            } else {
                plane.topology(ctx, a, b, topo);
            }
            boolean allowed = b.mode().sends() && ctx.flows(a, b);
            long before = decided(a, b);
            pa.send(a.localRtp(), i);
            awaitDecided(a, b, before); // not just received: the next flip must not overtake this packet's gating
            if (allowed) {
                expected.add(i);
            }
        }
        // Taken (counted) is not yet sent: the last packets may still be on the I/O thread, so each expected one
        // gets the arrival deadline; then a quiet window proves nothing else came.
        assertThat(expected).isNotEmpty();
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            RtpPeer.Received r = pb.receive(ARRIVAL);
            if (r == null) {
                break;
            }
            got.add(r.tag());
        }
        RtpPeer.Received r;
        while ((r = pb.receive(QUIET)) != null) {
            got.add(r.tag());
        }
        assertThat(got).isEqualTo(expected);
    }

    @Test
    void shouldKeepCountersConsistentWhileAnotherThreadFlipsStateConcurrently() throws Exception {
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        Thread flipper = new Thread(() -> {
            Random random = new Random(7);
            try {
                for (int i = 0; i < 2000; i++) {
                    plane.mode(b, random.nextBoolean() ? StreamMode.SEND_RECV : StreamMode.RECV_ONLY);
                    plane.topology(ctx, a, b, random.nextBoolean() ? Topology.BOTHWAY : Topology.ISOLATE);
                }
            } catch (MediaPlaneException e) {
                throw new IllegalStateException(e);
            }
        });
        flipper.start();
        for (int i = 0; i < 300; i++) {
            pa.send(a.localRtp(), i);
        }
        flipper.join(10_000);
        Await.until("all 300 packets taken", () -> a.counters().received() == 300);
        Await.until("forwarded + no-route = received",
            () -> b.counters().sent() + a.counters().dropped(DropReason.NO_ROUTE) == 300);
        // Counted as sent just before the datagram is flushed: wait for each one, then prove there is no extra.
        long sent = b.counters().sent();
        long got = 0;
        while (got < sent && pb.receive(ARRIVAL) != null) {
            got++;
        }
        got += pb.drain(QUIET);
        assertThat(got).isEqualTo(sent);
    }

    @Test
    void shouldKeepTheFarEndStreamContinuousWhenItsSourceSwitches() throws Exception {
        RtpPeer far = peer(0x1111);
        RtpPeer oldLeg = peer(0x2222);
        RtpPeer newLeg = peer(0x3333);
        newLeg.sequence(40_000);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, oldLeg.address());
        Termination b2 = plane.add(ctx, StreamMode.SEND_RECV, newLeg.address());
        plane.topology(ctx, b2, a, Topology.ISOLATE);
        plane.topology(ctx, b, b2, Topology.ISOLATE);
        for (int i = 0; i < 10; i++) {
            oldLeg.send(b.localRtp(), i);
        }
        List<RtpPeer.Received> got = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            got.add(far.receive(ARRIVAL));
        }
        plane.topology(ctx, b, a, Topology.ISOLATE);
        plane.topology(ctx, b2, a, Topology.BOTHWAY);
        for (int i = 10; i < 20; i++) {
            newLeg.send(b2.localRtp(), i);
        }
        for (int i = 10; i < 20; i++) {
            got.add(far.receive(ARRIVAL));
        }
        assertThat(got).doesNotContainNull();
        assertThat(got).extracting(RtpPeer.Received::ssrc).containsOnly(0x2222);
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i).sequence()).as("sequence after packet " + i)
                .isEqualTo((got.get(i - 1).sequence() + 1) & 0xFFFF);
            int step = got.get(i).timestamp() - got.get(i - 1).timestamp();
            assertThat(step).as("timestamp step at " + i).isPositive().isLessThan(8000 * 5);
        }
        assertThat(got.get(10).tag()).isEqualTo(10);
    }

    @Test
    void shouldDropAndCountPacketsFromAForeignSource() throws Exception {
        // Unconnected sockets: the Java source check sees and counts the foreign packets.
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(21000, 21999).withConnectSockets(false));
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        RtpPeer attacker = peer(3);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        for (int i = 0; i < 5; i++) {
            attacker.send(a.localRtp(), 666);
        }
        Await.until("5 source drops", () -> a.counters().dropped(DropReason.SOURCE) == 5);
        pa.send(a.localRtp(), 1);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(1);
        assertThat(pb.drain(QUIET)).isZero();
        assertThat(attacker.drain(QUIET)).isZero();
        assertThat(b.counters().sent()).isEqualTo(1);
    }

    @Test
    void shouldKeepAForeignSourceOutOfAConnectedSocket() throws Exception {
        connected();
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        RtpPeer attacker = peer(1); // even the right SSRC does not help
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        Await.until("RTP socket connected", () -> pa.address().equals(a.rtpConnectedTo));
        for (int i = 0; i < 5; i++) {
            attacker.send(a.localRtp(), 666);
        }
        pa.send(a.localRtp(), 1);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(1);
        assertThat(pb.drain(QUIET)).as("the kernel drops the foreign packets").isZero();
        assertThat(a.counters().received()).isEqualTo(1);
        assertThat(a.remote().rtp()).isEqualTo(pa.address());
    }

    @Test
    void shouldReconnectToANewRemoteOnceTheDualReceiveWindowCloses() throws Exception {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(21000, 21999).withDualReceiveMs(2000)
            .withConnectSockets(true));
        RtpPeer oldAddr = peer(1);
        RtpPeer newAddr = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, oldAddr.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        Await.until("connected to the first remote", () -> oldAddr.address().equals(a.rtpConnectedTo));
        plane.remote(a, newAddr.address(), true);
        Await.until("unconnected during dual receive", () -> a.rtpConnectedTo == null);
        oldAddr.send(a.localRtp(), 1);
        assertThat(pb.receive(ARRIVAL).tag()).as("old source inside the window").isEqualTo(1);
        Await.until("connected to the new remote", () -> newAddr.address().equals(a.rtpConnectedTo));
        oldAddr.send(a.localRtp(), 2);
        newAddr.send(a.localRtp(), 3);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(3);
        assertThat(pb.drain(QUIET)).isZero();
    }

    @Test
    void shouldTakeTheNewPeersFirstPacketRightAfterTheRemoteChanges() throws Exception {
        for (int dualReceiveMs : new int[] {0, 2000}) {
            plane.close();
            plane = MediaPlane.start(MediaPlaneConfig.loopback(21000, 21999).withDualReceiveMs(dualReceiveMs)
                .withConnectSockets(true));
            RtpPeer[] addresses = {peer(1), peer(1)};
            RtpPeer pb = peer(2);
            MediaContext ctx = plane.createContext();
            Termination a = plane.add(ctx, StreamMode.SEND_RECV, addresses[0].address());
            plane.add(ctx, StreamMode.SEND_RECV, pb.address());
            for (int i = 1; i <= 10; i++) {
                RtpPeer now = addresses[i % 2];
                plane.remote(a, now.address(), dualReceiveMs > 0);
                now.send(a.localRtp(), i); // no wait: when remote() returns the socket takes the new peer
                assertThat(pb.receive(ARRIVAL)).as("dual-receive-ms=%d, switch %d", dualReceiveMs, i)
                    .isNotNull().extracting(RtpPeer.Received::tag).isEqualTo(i);
            }
        }
    }

    @Test
    void shouldHoldPacketsForAnUnreachablePeerAndSendThemToItsNewAddress() throws Exception {
        connected();
        RtpPeer far = peer(1);
        RtpPeer gone = peer(2);
        RtpPeer newAddr = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, gone.address());
        Await.until("connected", () -> gone.address().equals(b.rtpConnectedTo));
        gone.close(); // its port now answers with ICMP port unreachable
        int sent = sendUntilMoving(far, a, b);
        assertThat(b.counters().unreachable()).isPositive();
        for (int i = 0; i < 5; i++) {
            far.send(a.localRtp(), ++sent);
        }
        // Every packet read (held, or lost in flight) before the re-point: a packet still unread would go out live
        // after it and make the run one longer than what was flushed.
        int all = sent;
        Await.until("all " + all + " read", () -> a.counters().received() == all);
        Await.until("5 held", () -> b.moveHeld() >= 5);
        plane.remote(b, newAddr.address()); // the re-INVITE's new address
        List<Integer> tags = tagsUntilQuiet(newAddr);
        assertHeldRunEndingAt(tags, sent, 5, b);
        assertThat(b.isMoving()).isFalse();
        far.send(a.localRtp(), ++sent);
        assertThat(newAddr.receive(ARRIVAL).tag()).isEqualTo(sent);
    }

    @Test
    void shouldEndAnUnreachableMoveWhenThePeerIsHeardAgain() throws Exception {
        connected();
        RtpPeer far = peer(1);
        RtpPeer flaky = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, flaky.address());
        Await.until("connected", () -> flaky.address().equals(b.rtpConnectedTo));
        int port = flaky.port();
        flaky.close();
        int sent = sendUntilMoving(far, a, b);
        far.send(a.localRtp(), ++sent);
        far.send(a.localRtp(), ++sent);
        int all = sent;
        Await.until("all " + all + " read", () -> a.counters().received() == all);
        Await.until("2 held", () -> b.moveHeld() >= 2);
        RtpPeer back = new RtpPeer(2, port);
        peers.add(back);
        back.send(b.localRtp(), 99); // heard again from its own address
        assertThat(far.receive(ARRIVAL).tag()).isEqualTo(99);
        assertHeldRunEndingAt(tagsUntilQuiet(back), sent, 2, b);
        assertThat(b.isMoving()).isFalse();
    }

    /** Sends from {@code far} through {@code a} until {@code b}'s dead peer got it marked moving (at most 40). */
    private static int sendUntilMoving(RtpPeer far, Termination a, Termination b) throws Exception {
        int sent = 0;
        // The first packet after the peer vanished leaves before the ICMP comes back; the error marks the leg moving.
        while (!b.isMoving() && sent < 40) {
            far.send(a.localRtp(), ++sent);
            int expected = sent;
            Await.until("packet " + sent + " taken", () -> a.counters().received() == expected);
        }
        assertThat(b.isMoving()).as("moving after ICMP port unreachable").isTrue();
        return sent;
    }

    private static List<Integer> tagsUntilQuiet(RtpPeer peer) throws Exception {
        List<Integer> tags = new ArrayList<>();
        RtpPeer.Received r = peer.receive(ARRIVAL);
        while (r != null) {
            tags.add(r.tag());
            r = peer.receive(QUIET);
        }
        return tags;
    }

    /**
     * What the move held arrives as one run of consecutive tags that ends with the last one sent: in order, none
     * duplicated. (Whether the packet in flight when the ICMP landed was held or lost is a race, so the run may
     * start one earlier.)
     */
    private static void assertHeldRunEndingAt(List<Integer> tags, int last, int atLeast, Termination t) {
        assertThat(tags).hasSizeGreaterThanOrEqualTo(atLeast);
        for (int i = 0; i < tags.size(); i++) {
            assertThat(tags.get(i)).isEqualTo(last - tags.size() + 1 + i);
        }
        assertThat(t.moveFlushed()).isEqualTo(tags.size());
    }

    @Test
    void shouldLatchOnlyOntoTheSameStreamFromANewAddress() throws Exception {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(21000, 21999).withLatch(true));
        RtpPeer pa = peer(0xA);
        RtpPeer pb = peer(0xB);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        pa.sequence(100);
        for (int i = 0; i < 3; i++) {
            pa.send(a.localRtp(), i); // sequences 100..102
        }
        for (int i = 0; i < 3; i++) {
            assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(i);
        }
        RtpPeer otherSsrc = peer(0xBAD);
        otherSsrc.sequence(103);
        otherSsrc.send(a.localRtp(), 666);
        RtpPeer farAhead = peer(0xA);
        farAhead.sequence(103 + MediaPlaneConfig.LATCH_SEQUENCE_WINDOW);
        farAhead.send(a.localRtp(), 667);
        Await.until("2 foreign drops", () -> a.counters().dropped(DropReason.SOURCE) == 2);
        assertThat(a.remote().rtp()).isEqualTo(pa.address());
        RtpPeer moved = peer(0xA); // the same stream, now from a new address
        moved.sequence(104);
        moved.send(a.localRtp(), 3);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(3);
        assertThat(a.remote().rtp()).isEqualTo(moved.address());
        assertThat(a.counters().latched()).isEqualTo(1);
        pb.send(plane.terminations().stream().filter(t -> t != a).findFirst().orElseThrow().localRtp(), 7);
        assertThat(moved.receive(ARRIVAL).tag()).as("the far end now reaches the new address").isEqualTo(7);
        assertThat(pb.drain(QUIET)).isZero();
    }

    @Test
    void shouldDropAndCountMalformedPacketsWithoutFailing() throws Exception {
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        List<byte[]> bad = new ArrayList<>();
        bad.add(new byte[] {(byte) 0x80, 0, 1});                                // shorter than a header
        bad.add(new byte[] {0x40, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1});            // version 1
        bad.add(new byte[] {(byte) 0x8F, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1});     // 15 CSRCs announced, none present
        bad.add(new byte[] {(byte) 0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9}); // extension longer than packet
        Random random = new Random(3);
        for (int i = 0; i < 50; i++) {
            byte[] b = new byte[1 + random.nextInt(40)];
            random.nextBytes(b);
            b[0] = (byte) (b[0] & 0x3F); // never version 2: random bytes that cannot pass
            bad.add(b);
        }
        for (byte[] b : bad) {
            pa.sendRaw(a.localRtp(), b);
        }
        Await.until("all malformed counted", () -> a.counters().dropped(DropReason.MALFORMED) == bad.size());
        pa.send(a.localRtp(), 7);
        assertThat(pb.receive(ARRIVAL).tag()).as("still forwarding").isEqualTo(7);
    }

    @Test
    void shouldForwardRtcpBetweenRtcpPortsThroughTheSameGates() throws Exception {
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        RtpPeer paRtcp = new RtpPeer(0, pa.port() + 1);
        RtpPeer pbRtcp = new RtpPeer(0, pb.port() + 1);
        peers.add(paRtcp);
        peers.add(pbRtcp);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        pa.send(a.localRtp(), 1); // establishes the egress source for b
        assertThat(pb.receive(ARRIVAL)).isNotNull();
        byte[] rr = {(byte) 0x81, (byte) 201, 0, 7, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0};
        InetSocketAddress aRtcp = new InetSocketAddress(a.localRtp().getAddress(), a.rtcpPort());
        paRtcp.sendRaw(aRtcp, rr);
        RtpPeer.Received got = pbRtcp.receive(ARRIVAL);
        assertThat(got).isNotNull();
        assertThat(got.length()).isEqualTo(32);
        plane.mode(b, StreamMode.RECV_ONLY);
        paRtcp.sendRaw(aRtcp, rr);
        Await.until("rtcp no-route drop", () -> a.counters().dropped(DropReason.NO_ROUTE) == 1);
        assertThat(pbRtcp.drain(QUIET)).isZero();
    }

    @Test
    void shouldReturnStatisticsOnSubtractAndDeleteTheEmptyContext() throws Exception {
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        for (int i = 0; i < 18; i++) {
            pa.send(a.localRtp(), i);
        }
        Await.until("18 forwarded", () -> b.counters().sent() == 18);
        TerminationStatistics sa = plane.subtract(a);
        assertThat(sa.packetsReceived()).isEqualTo(18);
        assertThat(sa.octetsReceived()).isEqualTo(18 * 172);
        TerminationStatistics sb = plane.subtract(b);
        assertThat(sb.packetsSent()).isEqualTo(18);
        assertThat(sb.octetsSent()).isEqualTo(18 * 172);
        assertThat(plane.context(ctx.id())).isNull();
        assertThat(plane.portPairsInUse()).isZero();
        assertThatThrownBy(() -> plane.subtract(a)).isInstanceOf(MediaPlaneException.class)
            .hasMessageContaining(a.id());
    }

    @Test
    void shouldCountLossFromSequenceGaps() throws Exception {
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        for (int i = 0; i < 10; i++) {
            pa.sequence(100 + (i < 5 ? i : i + 3)); // 3 missing after the fifth
            pa.send(a.localRtp(), i);
        }
        Await.until("10 forwarded", () -> b.counters().sent() == 10);
        assertThat(plane.subtract(a).lost()).isEqualTo(3);
    }

    @Test
    void shouldMoveATerminationToAContextOnAnotherLoop() throws Exception {
        RtpPeer p1 = peer(1);
        RtpPeer p2 = peer(2);
        RtpPeer p3 = peer(3);
        MediaContext c1 = plane.createContext();
        MediaContext c2 = plane.createContext();
        assertThat(c1.loop).isNotSameAs(c2.loop);
        Termination t1 = plane.add(c1, StreamMode.SEND_RECV, p1.address());
        Termination t2 = plane.add(c1, StreamMode.SEND_RECV, p2.address());
        Termination t3 = plane.add(c2, StreamMode.SEND_RECV, p3.address());
        plane.move(t2, c2);
        assertThat(t2.context()).isSameAs(c2);
        p3.send(t3.localRtp(), 33);
        assertThat(p2.receive(ARRIVAL).tag()).isEqualTo(33);
        p2.send(t2.localRtp(), 22);
        assertThat(p3.receive(ARRIVAL).tag()).isEqualTo(22);
        p1.send(t1.localRtp(), 11);
        Await.until("no route for t1", () -> t1.counters().dropped(DropReason.NO_ROUTE) == 1);
        assertThat(p2.drain(QUIET)).isZero();
    }

    @Test
    void shouldRefuseWithANamedLimitWhenPortsRunOutAndKeepCallsUp() throws Exception {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22003));
        RtpPeer pa = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        MediaContext other = plane.createContext();
        assertThatThrownBy(() -> plane.add(other, StreamMode.SEND_RECV, null))
            .isInstanceOfSatisfying(MediaPlaneException.class,
                e -> assertThat(e.kind()).isEqualTo(MediaPlaneException.Kind.PORTS_EXHAUSTED))
            .hasMessageContaining("2 of 2")
            .hasMessageContaining("media.port-min=22000");
        pa.send(a.localRtp(), 5);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(5);
    }

    @Test
    void shouldRefuseANewContextBeyondTheLimit() throws Exception {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22099).withMaxContexts(2));
        plane.createContext();
        plane.createContext();
        assertThatThrownBy(() -> plane.createContext())
            .isInstanceOfSatisfying(MediaPlaneException.class,
                e -> assertThat(e.kind()).isEqualTo(MediaPlaneException.Kind.CONTEXTS_EXHAUSTED))
            .hasMessageContaining("media.max-contexts=2");
    }

    @Test
    void shouldAcceptTheOldSourceOnlyUntilTheNewOneIsHeard() throws Exception {
        // Unconnected sockets, so the Java source check decides (and counts).
        plane.close();
        // The window must outlast a stalled I/O thread taking packet 1 (the default, 2 s); it only costs its own
        // length.
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22099).withDualReceiveMs(2000)
            .withConnectSockets(false));
        RtpPeer oldAddr = peer(1);
        RtpPeer newAddr = peer(1);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, oldAddr.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        plane.remote(a, newAddr.address(), true);
        oldAddr.send(a.localRtp(), 1);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(1);
        newAddr.sequence(1001); // the party's stream goes on from its new address
        newAddr.send(a.localRtp(), 2);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(2);
        // RFC 3264 section 8.3.1: once the new address is heard the old one is not taken, even inside the window.
        assertThat(System.nanoTime() - a.remote().previousUntilNanos()).isNegative();
        oldAddr.send(a.localRtp(), 3);
        Await.until("source drop once the new remote was heard", () -> a.counters().dropped(DropReason.SOURCE) == 1);
        newAddr.send(a.localRtp(), 4);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(4);
        assertThat(pb.drain(QUIET)).isZero();
    }

    @Test
    void shouldSwitchHardWhenDualReceiveIsNotAskedFor() throws Exception {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22099).withDualReceiveMs(2000)
            .withConnectSockets(false));
        RtpPeer oldAddr = peer(1);
        RtpPeer newAddr = peer(3);
        RtpPeer pb = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, oldAddr.address());
        plane.add(ctx, StreamMode.SEND_RECV, pb.address());
        plane.remote(a, newAddr.address());
        assertThat(a.remote().previousRtp()).isNull();
        oldAddr.send(a.localRtp(), 1);
        Await.until("old source dropped at once", () -> a.counters().dropped(DropReason.SOURCE) == 1);
        newAddr.send(a.localRtp(), 2);
        assertThat(pb.receive(ARRIVAL).tag()).isEqualTo(2);
        assertThat(pb.drain(QUIET)).isZero();
    }

    @Test
    void shouldCountAFailedSendAsADropWithItsReason() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(plane.nativeTransport(), "needs the native transport");
        RtpPeer pa = peer(1);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, pa.address());
        // Broadcast without SO_BROADCAST: the kernel refuses every send (EACCES).
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, new InetSocketAddress("255.255.255.255", 20998));
        for (int i = 0; i < 3; i++) {
            pa.send(a.localRtp(), i);
        }
        Await.until("3 failed sends", () -> b.counters().dropped(DropReason.SEND_FAILED) == 3);
        assertThat(a.counters().received()).isEqualTo(3);
        assertThat(b.counters().sent()).as("not counted as sent").isZero();
        assertThat(b.counters().sentOctets()).isZero();
        assertThat(b.statistics().dropped(DropReason.SEND_FAILED)).isEqualTo(3);
        assertThat(plane.totals().dropped(DropReason.SEND_FAILED)).isEqualTo(3);
    }

    @Test
    void shouldHoldPacketsWhileMovingAndSendThemFirstInOrderToTheNewAddress() throws Exception {
        // The age bound (200 ms by default) is not under test: a loaded machine may take longer than that to get
        // from the first held packet to the new address, and the held packets would be dropped as stale.
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22099).withMoveBuffer(10_000, 64));
        RtpPeer far = peer(1);
        RtpPeer oldAddr = peer(2);
        RtpPeer newAddr = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, oldAddr.address());
        far.send(a.localRtp(), 0);
        assertThat(oldAddr.receive(ARRIVAL).tag()).isZero();
        plane.moving(b, true);
        for (int i = 1; i <= 10; i++) {
            far.send(a.localRtp(), i);
        }
        // Counted on receipt, held a moment later: wait for the buffer, or the last one may still go out live.
        Await.until("10 held while moving", () -> b.moveHeld() == 10);
        plane.remote(b, newAddr.address());
        far.send(a.localRtp(), 11);
        List<RtpPeer.Received> got = new ArrayList<>();
        for (int i = 1; i <= 11; i++) {
            got.add(newAddr.receive(ARRIVAL));
        }
        assertThat(got).doesNotContainNull();
        assertThat(got).extracting(RtpPeer.Received::tag).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        for (int i = 1; i < got.size(); i++) {
            assertThat(got.get(i).sequence()).isEqualTo((got.get(i - 1).sequence() + 1) & 0xFFFF);
        }
        assertThat(oldAddr.drain(QUIET)).as("nothing to the old address after the move began").isZero();
        assertThat(newAddr.drain(QUIET)).as("nothing duplicated").isZero();
        assertThat(b.moveFlushed()).isEqualTo(10);
        assertThat(b.moveOverflow()).isZero();
    }

    @Test
    void shouldCountOverflowWhenTheMoveBufferIsFull() throws Exception {
        plane.close();
        plane = MediaPlane.start(MediaPlaneConfig.loopback(22000, 22099).withMoveBuffer(10_000, 4));
        RtpPeer far = peer(1);
        RtpPeer oldAddr = peer(2);
        RtpPeer newAddr = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, oldAddr.address());
        plane.moving(b, true);
        for (int i = 1; i <= 10; i++) {
            far.send(a.localRtp(), i);
        }
        Await.until("10 taken while moving", () -> b.moveHeld() + b.moveOverflow() == 10);
        plane.remote(b, newAddr.address());
        // The flush runs on the I/O thread after remote() returns: each of the 4 gets the arrival deadline.
        List<Integer> tags = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RtpPeer.Received r = newAddr.receive(ARRIVAL);
            if (r == null) {
                break;
            }
            tags.add(r.tag());
        }
        RtpPeer.Received r;
        while ((r = newAddr.receive(QUIET)) != null) {
            tags.add(r.tag());
        }
        assertThat(tags).as("the newest 4 survive, in order").containsExactly(7, 8, 9, 10);
        assertThat(b.moveOverflow()).isEqualTo(6);
        assertThat(oldAddr.drain(QUIET)).isZero();
    }

    @Test
    void shouldReleaseHeldPacketsWhenAMovingTerminationIsSubtracted() throws Exception {
        RtpPeer far = peer(1);
        RtpPeer oldAddr = peer(2);
        MediaContext ctx = plane.createContext();
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b = plane.add(ctx, StreamMode.SEND_RECV, oldAddr.address());
        plane.moving(b, true);
        for (int i = 1; i <= 5; i++) {
            far.send(a.localRtp(), i);
        }
        // Counted on receipt, held a moment later: wait for the buffer, so the subtract has held packets to release.
        Await.until("5 held while moving", () -> b.moveHeld() == 5);
        plane.subtract(b);
        assertThat(oldAddr.drain(QUIET)).isZero();
        // The class-level Netty leak check fails the run if the held buffers were not released.
    }

    @Test
    void shouldRewriteEachBicastCopyForItsOwnEgress() throws Exception {
        RtpPeer earlier = peer(0xE);
        RtpPeer far = peer(0xF);
        RtpPeer leg1 = peer(1);
        RtpPeer leg2 = peer(2);
        earlier.sequence(5000);
        MediaContext ctx = plane.createContext();
        Termination e = plane.add(ctx, StreamMode.SEND_RECV, earlier.address());
        Termination a = plane.add(ctx, StreamMode.SEND_RECV, far.address());
        Termination b1 = plane.add(ctx, StreamMode.SEND_RECV, leg1.address());
        Termination b2 = plane.add(ctx, StreamMode.SEND_RECV, leg2.address());
        // leg2 first hears another source, so its egress keeps that source's SSRC and sequence afterwards.
        plane.topology(ctx, a, b2, Topology.ISOLATE);
        plane.topology(ctx, e, b1, Topology.ISOLATE);
        plane.topology(ctx, e, a, Topology.ISOLATE);
        for (int i = 0; i < 3; i++) {
            earlier.send(e.localRtp(), i);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(leg2.receive(ARRIVAL).sequence()).isEqualTo(5000 + i);
        }
        plane.topology(ctx, e, b2, Topology.ISOLATE);
        plane.topology(ctx, a, b2, Topology.BOTHWAY);
        far.sequence(100);
        for (int i = 0; i < 3; i++) {
            far.send(a.localRtp(), 10 + i);
        }
        for (int i = 0; i < 3; i++) {
            RtpPeer.Received r1 = leg1.receive(ARRIVAL);
            RtpPeer.Received r2 = leg2.receive(ARRIVAL);
            assertThat(r1.tag()).isEqualTo(10 + i);
            assertThat(r2.tag()).isEqualTo(10 + i);
            assertThat(r1.ssrc()).as("leg1 hears the far end as it is").isEqualTo(0xF);
            assertThat(r1.sequence()).isEqualTo(100 + i);
            assertThat(r2.ssrc()).as("leg2 keeps its earlier SSRC").isEqualTo(0xE);
            assertThat(r2.sequence()).as("leg2 continues its own sequence").isEqualTo(5003 + i);
        }
    }
}
