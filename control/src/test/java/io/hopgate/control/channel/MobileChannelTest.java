package io.hopgate.control.channel;

import io.hopgate.media.Await;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class MobileChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final ChannelSettings FAST = ChannelSettings.DEFAULTS.withReconnectDeadline(WAIT);

    private final InMemoryLocator locator = new InMemoryLocator();
    private final Inbox atBob = new Inbox();
    private final Inbox atAlice = new Inbox();
    private final BlockingQueue<MobileChannel> accepted = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private MobileListener bob;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void shouldExchangeMessagesInOrderBothWays() throws Exception {
        MobileChannel alice = aliceToBob(FAST);
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(bobSide.peerName()).isEqualTo(ALICE);

        for (int i = 0; i < 200; i++) {
            alice.send(message(i));
            bobSide.send(ByteBuffer.wrap(message(i)));
        }

        atBob.awaitCount(200);
        atAlice.awaitCount(200);
        assertThat(atBob.values()).isEqualTo(range(200));
        assertThat(atAlice.values()).isEqualTo(range(200));
        Await.until("everything acknowledged", WAIT,
            () -> alice.unackedMessages() == 0 && bobSide.unackedMessages() == 0);
    }

    @Test
    void shouldDeliverEachMessageOnceInOrderWhenConnectionsAreKilledMidStream() throws Exception {
        // A small window keeps messages in flight, so every kill leaves some unacknowledged to resend.
        MobileChannel alice = aliceToBob(FAST.withUnackedLimits(32, 1 << 20));
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        InetSocketAddress aliceFirstAddress = bobSide.remoteAddress();
        int count = 20_000;

        CompletableFuture<Void> aliceSends = CompletableFuture.runAsync(() -> sendAll(alice, count));
        CompletableFuture<Void> bobSends = CompletableFuture.runAsync(() -> sendAll(bobSide, count));
        List<Integer> killedAt = new ArrayList<>();
        for (int kill = 1; kill <= 4; kill++) {
            int threshold = kill * count / 5;
            Await.until("bob received " + threshold, WAIT, () -> atBob.count() >= threshold);
            killedAt.add(atBob.count());
            bob.dropConnections(); // what a dead link looks like to both ends: the server side closes
        }
        aliceSends.get(30, TimeUnit.SECONDS);
        bobSends.get(30, TimeUnit.SECONDS);
        atBob.awaitCount(count);
        atAlice.awaitCount(count);

        assertThat(killedAt).as("each kill happened mid-stream").allMatch(n -> n < count);
        assertThat(atBob.values()).isEqualTo(range(count));
        assertThat(atAlice.values()).isEqualTo(range(count));
        assertThat(alice.resumes()).isEqualTo(4);
        assertThat(bobSide.resumes()).isEqualTo(4);
        assertThat(bobSide.remoteAddress()).as("alice resumed from a new source port")
                .isNotEqualTo(aliceFirstAddress);
    }

    @Test
    void shouldResumeAtTheListenersNewAddressOnceTheLocatorKnowsIt() throws Exception {
        MobileChannel alice = aliceToBob(FAST);
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        for (int i = 0; i < 100; i++) {
            alice.send(message(i));
        }
        atBob.awaitCount(100);

        InetSocketAddress moved = bob.rebind(loopback(0)).block(WAIT);
        Await.until("both sides saw the old connection die", WAIT,
            () -> !alice.isConnected() && !bobSide.isConnected());
        for (int i = 100; i < 200; i++) { // sent while bob is unreachable: buffered on both sides
            alice.send(message(i));
            bobSide.send(message(i - 100));
        }
        locator.register(BOB, moved);

        atBob.awaitCount(200);
        atAlice.awaitCount(100);
        assertThat(atBob.values()).isEqualTo(range(200));
        assertThat(atAlice.values()).isEqualTo(range(100));
        assertThat(alice.remoteAddress()).isEqualTo(moved);
        assertThat(alice.resumes()).isEqualTo(1);
    }

    @Test
    void shouldAcceptAResumeWithTheTokenFromANewAddressAndResendWhatWasNotAcknowledged() throws Exception {
        listenAsBob(FAST);
        long sessionId;
        byte[] token;
        try (Wire first = new Wire(InetAddress.getByName("127.0.0.1"), bob.address())) {
            first.send(Frames.open(first.alloc, ALICE, BOB));
            ByteBuffer opened = first.expect(Frames.OPENED);
            sessionId = opened.getLong();
            token = new byte[Frames.TOKEN_LENGTH];
            opened.get(token);
            first.send(Frames.data(first.alloc, 1, message(0)));
            assertThat(first.expect(Frames.ACK).getLong()).isEqualTo(1);
        } // alice's link dies without a word
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        Await.until("bob saw the connection die", WAIT, () -> !bobSide.isConnected());
        bobSide.send(message(100));
        bobSide.send(message(101));

        try (Wire moved = new Wire(InetAddress.getByName("127.0.0.2"), bob.address())) {
            moved.send(Frames.resume(moved.alloc, sessionId, token, 0));
            assertThat(moved.expect(Frames.RESUMED).getLong()).as("bob has message 1").isEqualTo(1);
            assertThat(moved.expect(Frames.DATA).getLong()).isEqualTo(1);
            assertThat(moved.expect(Frames.DATA).getLong()).isEqualTo(2);
            moved.send(Frames.data(moved.alloc, 1, message(0))); // a resend bob already has: dropped
            moved.send(Frames.data(moved.alloc, 2, message(1)));
            moved.send(Frames.ack(moved.alloc, 2));
            atBob.awaitCount(2);
            assertThat(atBob.values()).isEqualTo(range(2));
            Await.until("bob's messages acknowledged", WAIT, () -> bobSide.unackedMessages() == 0);
            assertThat(bobSide.remoteAddress().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
        }
    }

    @Test
    void shouldRefuseAResumeWithAWrongTokenOrAnUnknownSessionAndLeaveTheSessionAlone() throws Exception {
        MobileChannel alice = aliceToBob(FAST);
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        InetSocketAddress aliceAddress = bobSide.remoteAddress();
        byte[] forged = alice.token();
        forged[0] ^= 1;

        try (Wire mallory = new Wire(InetAddress.getByName("127.0.0.2"), bob.address())) {
            mallory.send(Frames.resume(mallory.alloc, alice.sessionId(), forged, 0));
            ByteBuffer error = mallory.expect(Frames.ERROR);
            assertThat(error.get()).isEqualTo((byte) Frames.E_BAD_TOKEN);
            assertThat(mallory.closedByPeer()).isTrue();
        }
        try (Wire mallory = new Wire(InetAddress.getByName("127.0.0.2"), bob.address())) {
            mallory.send(Frames.resume(mallory.alloc, alice.sessionId() + 1, alice.token(), 0));
            ByteBuffer error = mallory.expect(Frames.ERROR);
            assertThat(error.get()).isEqualTo((byte) Frames.E_UNKNOWN_SESSION);
            assertThat(StandardCharsets.UTF_8.decode(error).toString()).startsWith("unknown session");
            assertThat(mallory.closedByPeer()).isTrue();
        }

        alice.send(message(7));
        bobSide.send(message(8));
        atBob.awaitCount(1);
        atAlice.awaitCount(1);
        assertThat(atBob.values()).containsExactly(7);
        assertThat(atAlice.values()).containsExactly(8);
        assertThat(bobSide.resumes()).isZero();
        assertThat(bobSide.remoteAddress()).isEqualTo(aliceAddress);
    }

    @Test
    void shouldReportBufferOverflowToTheCallerAndKeepWhatWasQueued() throws Exception {
        MobileChannel alice = aliceToBob(FAST.withMaxMessageBytes(600).withUnackedLimits(4, 1000));
        bob.rebind(loopback(0)).block(WAIT); // bob is gone and the locator does not know where: nothing is acked
        Await.until("alice lost bob", WAIT, () -> !alice.isConnected());

        alice.send(new byte[600]);
        assertThatThrownBy(() -> alice.send(new byte[500]))
                .isInstanceOfSatisfying(MobileChannelException.class,
                        e -> assertThat(e.reason()).isEqualTo(MobileChannelException.Reason.BUFFER_FULL))
                .hasMessageContaining("600 bytes unacknowledged").hasMessageContaining("maxUnackedBytes=1000");
        alice.send(message(1));
        alice.send(message(2));
        alice.send(message(3));
        assertThatThrownBy(() -> alice.send(message(4)))
                .isInstanceOfSatisfying(MobileChannelException.class,
                        e -> assertThat(e.reason()).isEqualTo(MobileChannelException.Reason.BUFFER_FULL))
                .hasMessageContaining("4 messages").hasMessageContaining("maxUnackedMessages=4");
        assertThatThrownBy(() -> alice.send(new byte[601])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("601 bytes exceeds maxMessageBytes=600");

        locator.register(BOB, bob.address());
        atBob.awaitCount(4);
        assertThat(atBob.values()).containsExactly(0, 1, 2, 3); // new byte[600] reads as 0
        Await.until("buffer drained", WAIT, () -> alice.unackedMessages() == 0);
        alice.send(message(5));
        atBob.awaitCount(5);
    }

    @Test
    void shouldFailBothSidesWithAClearErrorWhenNoResumeHappensBeforeTheDeadline() throws Exception {
        MobileChannel alice = aliceToBob(FAST.withReconnectDeadline(Duration.ofMillis(400)));
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        alice.send(message(1));
        atBob.awaitCount(1);
        bob.rebind(loopback(0)).block(WAIT);
        alice.send(message(2));

        long start = System.nanoTime();
        assertThatThrownBy(() -> alice.onClose().block(WAIT))
                .isInstanceOfSatisfying(MobileChannelException.class,
                        e -> assertThat(e.reason()).isEqualTo(MobileChannelException.Reason.DEADLINE))
                .hasMessageContaining("within 400 ms (reconnectDeadline)")
                    .hasMessageContaining("1 messages unacknowledged");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> alice.send(message(3)))
                .isInstanceOfSatisfying(MobileChannelException.class,
                        e -> assertThat(e.reason()).isEqualTo(MobileChannelException.Reason.CLOSED))
                .hasCauseInstanceOf(MobileChannelException.class);
        assertThatThrownBy(() -> bobSide.onClose().block(WAIT))
                .isInstanceOfSatisfying(MobileChannelException.class,
                        e -> assertThat(e.reason()).isEqualTo(MobileChannelException.Reason.DEADLINE))
                .hasMessageContaining("did not resume");
        assertThat(bob.sessions()).isEmpty();
    }

    @Test
    void shouldCloseTheConnectionOnMalformedFramesAndKeepServing() throws Exception {
        listenAsBob(FAST);
        try (Wire w = new Wire(InetAddress.getByName("127.0.0.1"), bob.address())) {
            w.out.write(new byte[] {0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x10}); // length 2^31-1
            assertThat(w.closedByPeer()).isTrue();
        }
        try (Wire w = new Wire(InetAddress.getByName("127.0.0.1"), bob.address())) {
            w.out.write(new byte[] {0, 0, 0, 1, 0x55}); // unknown type
            assertThat(w.closedByPeer()).isTrue();
        }
        try (Wire w = new Wire(InetAddress.getByName("127.0.0.1"), bob.address())) {
            w.send(Frames.data(w.alloc, 1, message(1))); // DATA before any handshake
            assertThat(w.expect(Frames.ERROR).get()).isEqualTo((byte) Frames.E_PROTOCOL);
            assertThat(w.closedByPeer()).isTrue();
        }
        assertThat(bob.sessions()).isEmpty();

        MobileChannel alice = open(FAST);
        alice.send(message(1));
        atBob.awaitCount(1);
    }

    @Test
    void shouldRefuseAnOpenForAnotherName() throws Exception {
        listenAsBob(FAST);
        locator.register("carol@example.com", bob.address());
        assertThatThrownBy(() -> MobileChannel.open(ALICE, "carol@example.com", locator, FAST, atAlice).block(WAIT))
                .isInstanceOfSatisfying(MobileChannelException.class,
                        e -> assertThat(e.reason()).isEqualTo(MobileChannelException.Reason.REFUSED))
                .hasMessageContaining("no listener for carol@example.com");
        assertThat(bob.sessions()).isEmpty();
    }

    @Test
    void shouldEndTheSessionOnBothSidesOnClose() throws Exception {
        MobileChannel alice = aliceToBob(FAST);
        MobileChannel bobSide = accepted.poll(10, TimeUnit.SECONDS);
        alice.send(message(1));
        atBob.awaitCount(1);
        alice.close();
        bobSide.onClose().block(WAIT);
        assertThat(bob.sessions()).isEmpty();
        assertThatThrownBy(() -> alice.send(message(2))).isInstanceOf(MobileChannelException.class);
    }

    // ---- helpers ----

    private MobileChannel aliceToBob(ChannelSettings settings) {
        listenAsBob(settings);
        return open(settings);
    }

    private void listenAsBob(ChannelSettings settings) {
        bob = MobileListener.bind(BOB, loopback(0), settings, channel -> {
            accepted.add(channel);
            return atBob;
        }).block(WAIT);
        toClose.add(bob);
        locator.register(BOB, bob.address());
    }

    private MobileChannel open(ChannelSettings settings) {
        MobileChannel alice = MobileChannel.open(ALICE, BOB, locator, settings, atAlice).block(WAIT);
        toClose.add(alice);
        return alice;
    }

    private static void sendAll(MobileChannel channel, int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < count; i++) {
            while (true) {
                try {
                    channel.send(message(i));
                    break;
                } catch (MobileChannelException e) {
                    if (e.reason() != MobileChannelException.Reason.BUFFER_FULL || System.nanoTime() > deadline) {
                        throw e;
                    }
                    LockSupport.parkNanos(100_000); // the window is full: wait for acks (never spin on 2 cores)
                }
            }
        }
    }

    private static byte[] message(int i) {
        return ByteBuffer.allocate(4).putInt(i).array();
    }

    private static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().toList();
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** A raw TCP peer speaking the wire format by hand, for what a MobileChannel would never send. */
    private static final class Wire implements AutoCloseable {
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        final Socket socket = new Socket();
        final OutputStream out;
        final DataInputStream in;

        Wire(InetAddress local, InetSocketAddress server) throws IOException {
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(server, 2000);
            socket.setSoTimeout(5000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
        }

        void send(ByteBuf frame) throws IOException {
            try {
                out.write(ByteBufUtil.getBytes(frame));
            } finally {
                frame.release();
            }
        }

        /** The next frame's body; fails if it is of another type. */
        ByteBuffer expect(byte type) throws IOException {
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            assertThat(frame[0]).as("frame type").isEqualTo(type);
            return ByteBuffer.wrap(frame, 1, frame.length - 1).slice();
        }

        boolean closedByPeer() throws IOException {
            return in.read() == -1;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
