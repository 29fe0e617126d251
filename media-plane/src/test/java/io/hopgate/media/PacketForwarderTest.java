package io.hopgate.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The forwarding rule without sockets: the source check with dual receive (RFC 3264 section 8.3.1), forward-once
 * across the two legs of an uplink switch, and failed sends counted as drops.
 */
class PacketForwarderTest {
    private static final long MS = 1_000_000L;
    private static final InetSocketAddress OLD = new InetSocketAddress("127.0.0.1", 16000);
    private static final InetSocketAddress NEW = new InetSocketAddress("127.0.0.1", 16100);
    private static final InetSocketAddress FAR = new InetSocketAddress("127.0.0.1", 16200);

    private final PacketForwarder forwarder = new PacketForwarder(4);
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[172]);
    private int nextIndex = 1;
    private long now = 1_000_000_000L;

    private Termination termination(InetSocketAddress remote) {
        int index = nextIndex++;
        Termination t = new Termination("rtp/" + index, index, new InetSocketAddress("127.0.0.1", 20000 + 2 * index));
        if (remote != null) {
            t.remote(RemoteAddress.of(remote));
        }
        return t;
    }

    private static void routes(Termination from, Termination... to) {
        from.routes(to);
    }

    /** Routes one RTP packet that arrived on {@code from}'s RTP socket from {@code source}. */
    private int rtp(Termination from, InetSocketAddress source, int ssrc, int sequence) {
        ByteBuffer p = RtpPeer.packet(ssrc, sequence, sequence * 160, sequence);
        buffer.putBytes(0, p, 0, p.remaining());
        now += 20 * MS;
        return forwarder.route(from, false, buffer, 0, 172, source, now);
    }

    private static RemoteAddress dualReceive(InetSocketAddress next, InetSocketAddress previous, long untilNanos) {
        RemoteAddress r = RemoteAddress.of(next);
        return new RemoteAddress(r.rtp(), r.rtcp(), previous, untilNanos);
    }

    @Test
    void shouldSendNothingToAHeldRemote() {
        Termination a = termination(OLD);
        Termination held = termination(new InetSocketAddress("0.0.0.0", 16300)); // c=IN IP4 0.0.0.0 (RFC 3264 8.4)
        Termination far = termination(FAR);
        routes(a, held, far);
        assertThat(held.remote().held()).isTrue();
        assertThat(rtp(a, OLD, 5, 1)).as("only the far leg").isEqualTo(1);
        assertThat(forwarder.target(0)).isSameAs(far);
        routes(a, held);
        assertThat(rtp(a, OLD, 5, 2)).isEqualTo(PacketForwarder.DROPPED);
        assertThat(a.counters().dropped(DropReason.NO_ROUTE)).isEqualTo(1);
    }

    @Test
    void shouldTakeOnlyTheNewRemoteAfterAHardSwitch() {
        Termination link = termination(OLD);
        Termination far = termination(FAR);
        routes(link, far);
        assertThat(rtp(link, OLD, 5, 1)).isEqualTo(1);
        link.remote(RemoteAddress.of(NEW)); // what MediaPlane.remote(t, a) publishes: no previous address
        assertThat(rtp(link, OLD, 5, 2)).isEqualTo(PacketForwarder.DROPPED);
        assertThat(link.counters().dropped(DropReason.SOURCE)).isEqualTo(1);
        assertThat(rtp(link, NEW, 7, 1)).isEqualTo(1);
    }

    @Test
    void shouldTakeTheOldSourceOnlyUntilTheNewRemoteIsHeard() {
        Termination party = termination(OLD);
        Termination far = termination(FAR);
        routes(party, far);
        party.remote(dualReceive(NEW, OLD, now + 2_000 * MS));
        assertThat(rtp(party, OLD, 5, 1)).as("old source before the new one is heard").isEqualTo(1);
        assertThat(rtp(party, OLD, 5, 2)).isEqualTo(1);
        assertThat(rtp(party, NEW, 5, 3)).as("first packet from the new address").isEqualTo(1);
        assertThat(rtp(party, OLD, 5, 4)).as("old source after the new one was heard, inside the window")
            .isEqualTo(PacketForwarder.DROPPED);
        assertThat(rtp(party, NEW, 5, 5)).isEqualTo(1);
        assertThat(party.counters().dropped(DropReason.SOURCE)).isEqualTo(1);
        assertThat(far.counters().sent()).isZero(); // route() picks targets; only rewrite() counts a send
    }

    @Test
    void shouldCloseTheDualReceiveWindowAtItsDeadlineWhenTheNewRemoteStaysSilent() {
        Termination party = termination(OLD);
        Termination far = termination(FAR);
        routes(party, far);
        party.remote(dualReceive(NEW, OLD, now + 50 * MS));
        assertThat(rtp(party, OLD, 5, 1)).isEqualTo(1); // now + 20 ms
        assertThat(rtp(party, OLD, 5, 2)).isEqualTo(1); // now + 40 ms
        assertThat(rtp(party, OLD, 5, 3)).isEqualTo(PacketForwarder.DROPPED); // now + 60 ms: past the deadline
    }

    @Test
    void shouldReopenDualReceiveForTheNextRemoteChange() {
        Termination party = termination(OLD);
        Termination far = termination(FAR);
        routes(party, far);
        party.remote(dualReceive(NEW, OLD, now + 2_000 * MS));
        assertThat(rtp(party, NEW, 5, 1)).isEqualTo(1);
        assertThat(rtp(party, OLD, 5, 2)).isEqualTo(PacketForwarder.DROPPED);
        InetSocketAddress third = new InetSocketAddress("127.0.0.1", 16300);
        party.remote(dualReceive(third, NEW, now + 2_000 * MS));
        assertThat(rtp(party, NEW, 5, 3)).as("the previous address of the new change").isEqualTo(1);
        assertThat(rtp(party, third, 5, 4)).isEqualTo(1);
        assertThat(rtp(party, NEW, 5, 5)).isEqualTo(PacketForwarder.DROPPED);
    }

    @Test
    void shouldCloseTheDualReceiveWindowOnRtcpFromTheNewRemote() {
        Termination party = termination(OLD);
        Termination far = termination(FAR);
        routes(party, far);
        party.remote(dualReceive(NEW, OLD, now + 2_000 * MS));
        byte[] rr = {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 5}; // RTCP RR, no report blocks
        buffer.putBytes(0, rr);
        assertThat(forwarder.route(party, true, buffer, 0, rr.length,
            new InetSocketAddress(NEW.getAddress(), NEW.getPort() + 1), now)).isEqualTo(1);
        assertThat(rtp(party, OLD, 5, 1)).isEqualTo(PacketForwarder.DROPPED);
    }

    @Test
    void shouldForwardEachPacketOnceWhenTheUplinkArrivesOnTwoLegs() {
        Termination oldLeg = termination(OLD);
        Termination newLeg = termination(NEW);
        Termination far = termination(FAR);
        routes(oldLeg, far);
        routes(newLeg, far);
        int mobile = 0x0B000001;
        assertThat(rtp(oldLeg, OLD, mobile, 100)).isEqualTo(1);
        assertThat(rtp(newLeg, NEW, mobile, 100)).as("the same packet on the new leg")
            .isEqualTo(PacketForwarder.DROPPED);
        assertThat(rtp(newLeg, NEW, mobile, 101)).isEqualTo(1);
        assertThat(rtp(oldLeg, OLD, mobile, 101)).as("the same packet on the old leg")
            .isEqualTo(PacketForwarder.DROPPED);
        assertThat(rtp(oldLeg, OLD, mobile, 100)).as("older than what the new leg delivered")
            .isEqualTo(PacketForwarder.DROPPED);
        assertThat(rtp(oldLeg, OLD, mobile, 102)).as("newer, from either leg").isEqualTo(1);
        assertThat(oldLeg.counters().dropped(DropReason.DUPLICATE)).isEqualTo(2);
        assertThat(newLeg.counters().dropped(DropReason.DUPLICATE)).isEqualTo(1);
        assertThat(oldLeg.counters().dropped(DropReason.NO_ROUTE)).isZero();
    }

    @Test
    void shouldLetOneLegsOwnReorderingAndOtherStreamsThrough() {
        Termination a = termination(OLD);
        Termination b = termination(NEW);
        Termination far = termination(FAR);
        routes(a, far);
        routes(b, far);
        assertThat(rtp(a, OLD, 1, 10)).isEqualTo(1);
        assertThat(rtp(a, OLD, 1, 12)).isEqualTo(1);
        assertThat(rtp(a, OLD, 1, 11)).as("late on its own leg: passes as before").isEqualTo(1);
        assertThat(rtp(b, NEW, 2, 11)).as("another SSRC is another stream").isEqualTo(1);
        assertThat(rtp(a, OLD, 1, 11 + 1000)).as("far ahead: a new run of the stream").isEqualTo(1);
    }

    @Test
    void shouldKeepTheOtherTargetsWhenOneHasTheCopyAlready() {
        Termination oldLeg = termination(OLD);
        Termination newLeg = termination(NEW);
        Termination far = termination(FAR);
        Termination recorder = termination(new InetSocketAddress("127.0.0.1", 16400));
        routes(oldLeg, far);
        routes(newLeg, far, recorder);
        assertThat(rtp(oldLeg, OLD, 9, 1)).isEqualTo(1);
        assertThat(rtp(newLeg, NEW, 9, 1)).as("the far copy is a duplicate, the recorder's is not").isEqualTo(1);
        assertThat(forwarder.target(0)).isSameAs(recorder);
        // A drop counts datagrams that went nowhere; this one went to the recorder.
        assertThat(newLeg.counters().dropped(DropReason.DUPLICATE)).isZero();
    }

    @Test
    void shouldCountAFailedSendAsADropNotAsSent() {
        Termination from = termination(OLD);
        Termination to = termination(FAR);
        routes(from, to);
        assertThat(rtp(from, OLD, 3, 1)).isEqualTo(1);
        assertThat(forwarder.rewrite(from, to, buffer, 0, 172, now)).isTrue();
        assertThat(rtp(from, OLD, 3, 2)).isEqualTo(1);
        assertThat(forwarder.rewrite(from, to, buffer, 0, 172, now)).isTrue();
        assertThat(to.counters().sent()).isEqualTo(2);
        forwarder.sendFailed(to, false);
        assertThat(to.counters().sent()).isEqualTo(1);
        assertThat(to.counters().sentOctets()).isEqualTo(172);
        assertThat(to.counters().dropped(DropReason.SEND_FAILED)).isEqualTo(1);
        assertThat(to.statistics().dropped(DropReason.SEND_FAILED)).isEqualTo(1);
    }

    @Test
    void shouldTellFailedSendsFromFailedReads() {
        assumeTrue(io.netty.channel.epoll.Epoll.isAvailable(), "native epoll transport not available here");
        assertThat(IoLoop.sendFailure(new io.netty.channel.unix.Errors.NativeIoException("sendToAddress(..)",
            io.netty.channel.unix.Errors.ERRNO_EAGAIN_NEGATIVE))).isTrue();
        assertThat(IoLoop.sendFailure(new io.netty.channel.unix.Errors.NativeIoException("recvmsg(..)",
            io.netty.channel.unix.Errors.ERRNO_EAGAIN_NEGATIVE))).isFalse();
        assertThat(IoLoop.sendFailure(new java.io.IOException("sendToAddress"))).isFalse();
    }
}
