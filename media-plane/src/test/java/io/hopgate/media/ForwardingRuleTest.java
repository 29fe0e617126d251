package io.hopgate.media;

import io.hopgate.rtp.RtpHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole forwarding rule ({@link PacketForwarder#forward}) without sockets: bicast copies, move-hold and flush,
 * loopback, and that every datagram's references are accounted for.
 */
class ForwardingRuleTest {
    private static final long MS = 1_000_000L;
    private static final InetSocketAddress RADIO = new InetSocketAddress("127.0.0.1", 16000);
    private static final InetSocketAddress FAR = new InetSocketAddress("127.0.0.1", 16200);
    private static final InetSocketAddress FAR2 = new InetSocketAddress("127.0.0.1", 16300);

    private final PacketForwarder forwarder = new PacketForwarder(4);
    private final MediaPlaneConfig config = MediaPlaneConfig.loopback(21000, 21099);
    private final List<Sent> sent = new ArrayList<>();
    private final List<ByteBuf> datagrams = new ArrayList<>();
    private final Egress recorder = (to, rtcpPort, datagram, destination) -> {
        byte[] bytes = new byte[datagram.readableBytes()];
        datagram.getBytes(datagram.readerIndex(), bytes);
        datagram.release();
        sent.add(new Sent(to, rtcpPort, new UnsafeBuffer(bytes), destination));
    };
    private int nextIndex = 1;
    private long now = 1_000_000_000L;

    private record Sent(Termination to, boolean rtcpPort, UnsafeBuffer bytes, InetSocketAddress destination) {
        int sequence() {
            return RtpHeader.sequence(bytes, 0);
        }

        int ssrc() {
            return RtpHeader.ssrc(bytes, 0);
        }
    }

    @AfterEach
    void everyReferenceIsReturned() {
        forwarder.releaseCopies(); // what the loop does when the media plane closes
        for (ByteBuf d : datagrams) {
            assertThat(d.refCnt()).as("the caller's reference is the last one").isEqualTo(1);
            d.release();
        }
    }

    private Termination termination(InetSocketAddress remote) {
        int index = nextIndex++;
        Termination t = new Termination("rtp/" + index, index, new InetSocketAddress("127.0.0.1", 20000 + 2 * index));
        t.remote(RemoteAddress.of(remote));
        return t;
    }

    /** One RTP datagram from {@code source} through the whole rule, 20 ms after the previous one. */
    private void forward(Termination from, InetSocketAddress source, int ssrc, int sequence) {
        now += 20 * MS;
        forwarder.forward(from, false, datagram(ssrc, sequence), source, now, recorder);
    }

    /** A datagram as the socket reads it; released (and checked) after the test. */
    private ByteBuf datagram(int ssrc, int sequence) {
        ByteBuffer p = RtpPeer.packet(ssrc, sequence, sequence * 160, sequence);
        ByteBuf datagram = PooledByteBufAllocator.DEFAULT.directBuffer(p.remaining());
        datagram.writeBytes(p);
        datagrams.add(datagram);
        return datagram;
    }

    @Test
    void bicastGivesEachLegItsOwnCopyRewrittenForThatLeg() {
        Termination radio = termination(RADIO);
        Termination oldRadio = termination(FAR2);
        Termination far = termination(FAR);
        Termination far2 = termination(FAR2);
        // far2 carried another source before: its egress continues that stream (SSRC 0x9999, sequence 500 on).
        oldRadio.routes(new Termination[] {far2});
        forward(oldRadio, FAR2, 0x9999, 500);
        sent.clear();
        radio.routes(new Termination[] {far, far2});
        forward(radio, RADIO, 0x1111, 7);
        forward(radio, RADIO, 0x1111, 8);

        assertThat(sent).extracting(Sent::to).containsExactly(far, far2, far, far2);
        assertThat(sent).extracting(Sent::destination).containsExactly(FAR, FAR2, FAR, FAR2);
        // Each copy is rewritten for its own egress: far sees the radio's stream, far2 one continuous stream of its
        // own. Had the copies shared memory, the second rewrite would show in the first.
        assertThat(sent).extracting(Sent::ssrc).containsExactly(0x1111, 0x9999, 0x1111, 0x9999);
        assertThat(sent).extracting(Sent::sequence).containsExactly(7, 501, 8, 502);
        // The payload is the radio's on both legs.
        assertThat(sent).extracting(s -> s.bytes().getInt(12, ByteOrder.BIG_ENDIAN)).containsExactly(7, 7, 8, 8);
        assertThat(far.counters().sent()).isEqualTo(2);
        assertThat(far2.counters().sent()).isEqualTo(3);
    }

    @Test
    void aBicastCopyIsReusedOnceItsSocketWroteItAndNeverWhileItIsQueued() {
        Termination radio = termination(RADIO);
        Termination far = termination(FAR);
        Termination far2 = termination(FAR2);
        radio.routes(new Termination[] {far, far2});
        List<ByteBuf> queued = new ArrayList<>();
        Set<ByteBuf> copies = Collections.newSetFromMap(new IdentityHashMap<>());
        // A socket that writes at once: the copy for the first leg comes back and is used again.
        Egress writesAtOnce = (to, rtcpPort, datagram, destination) -> {
            if (to == far) {
                copies.add(datagram);
            }
            datagram.release();
        };
        for (int seq = 1; seq <= 50; seq++) {
            forwarder.forward(radio, false, datagram(0x6666, seq), RADIO, now += 20 * MS, writesAtOnce);
        }
        assertThat(copies).as("one copy buffer, reused").hasSize(1);
        // A socket that has not written yet: every queued copy keeps its own buffer.
        copies.clear();
        Egress queues = (to, rtcpPort, datagram, destination) -> {
            if (to == far) {
                copies.add(datagram);
                queued.add(datagram);
            } else {
                datagram.release();
            }
        };
        for (int seq = 51; seq <= 60; seq++) {
            forwarder.forward(radio, false, datagram(0x6666, seq), RADIO, now += 20 * MS, queues);
        }
        assertThat(copies).as("ten queued copies, ten buffers").hasSize(10);
        for (int i = 0; i < queued.size(); i++) {
            assertThat(queued.get(i).getShort(2) & 0xFFFF).as("queued copy %d kept its packet", i).isEqualTo(51 + i);
            queued.get(i).release();
        }
    }

    @Test
    void aMovingTargetHoldsInOrderAndTheEndOfTheMoveSendsHeldBeforeLive() {
        Termination radio = termination(RADIO);
        Termination far = termination(FAR);
        radio.routes(new Termination[] {far});
        forward(radio, RADIO, 0x2222, 1);
        far.moveBuffer(config);
        far.moving(true);
        forward(radio, RADIO, 0x2222, 2);
        forward(radio, RADIO, 0x2222, 3);
        assertThat(sent).as("only the packet before the move left").hasSize(1);
        assertThat(far.moveHeld()).isEqualTo(2);

        far.remote(RemoteAddress.of(FAR2)); // the party's new address, as IoLoop.repoint publishes it
        forwarder.endMove(far, now, recorder);
        forward(radio, RADIO, 0x2222, 4);
        assertThat(sent).extracting(Sent::destination).containsExactly(FAR, FAR2, FAR2, FAR2);
        int first = sent.get(0).sequence();
        assertThat(sent).extracting(Sent::sequence)
            .containsExactly(first, (first + 1) & 0xFFFF, (first + 2) & 0xFFFF, (first + 3) & 0xFFFF);
        assertThat(far.moveFlushed()).isEqualTo(2);
        assertThat(far.moveHeld()).isZero();
    }

    @Test
    void aHeldPacketNeverOvertakesWhenTheMoveEndsWithoutAnExplicitFlush() {
        Termination radio = termination(RADIO);
        Termination far = termination(FAR);
        radio.routes(new Termination[] {far});
        far.moveBuffer(config);
        far.moving(true);
        forward(radio, RADIO, 0x3333, 10);
        far.moving(false); // the next live packet finds what was held and sends it first
        forward(radio, RADIO, 0x3333, 11);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).sequence()).isEqualTo((sent.get(0).sequence() + 1) & 0xFFFF);
    }

    @Test
    void loopbackReflectsToTheSenderAndCountsItAsSent() {
        Termination echo = termination(RADIO);
        Termination far = termination(FAR);
        echo.routes(new Termination[] {far});
        echo.mode(StreamMode.LOOPBACK);
        forward(echo, RADIO, 0x4444, 5);
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).to()).isSameAs(echo);
        assertThat(sent.get(0).destination()).isEqualTo(RADIO);
        assertThat(sent.get(0).sequence()).as("reflected as it came").isEqualTo(5);
        assertThat(echo.counters().sent()).isEqualTo(1);
        assertThat(far.counters().sent()).isZero();
    }

    @Test
    void aDroppedDatagramSendsNothingAndKeepsNoReference() {
        Termination radio = termination(RADIO);
        Termination far = termination(FAR);
        radio.routes(new Termination[] {far});
        forward(radio, FAR2, 0x5555, 1); // not the radio's address
        radio.mode(StreamMode.SEND_ONLY);
        forward(radio, RADIO, 0x5555, 2);
        assertThat(sent).isEmpty();
        assertThat(radio.counters().dropped(DropReason.SOURCE)).isEqualTo(1);
        assertThat(radio.counters().dropped(DropReason.MODE)).isEqualTo(1);
    }
}
