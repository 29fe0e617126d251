package io.hopgate.control.gateway;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.localPort;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hopgate.control.config.Config;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.media.Await;
import io.hopgate.media.DropReason;
import io.hopgate.media.RtpPeer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Random and mutated datagrams (fixed seed, bounded count) from a stranger to every port of the gateway daemon: H.248,
 * ng, the RTP and RTCP ports of a call carrying media, and a leg that has no remote yet. The daemon keeps answering
 * both
 * control protocols, the call's media loses nothing in either direction, refused media is counted, and nothing is
 * logged
 * with a stack trace, and the log stays short and escaped. {@code -Dhopgate.hostile.per-target=N} sends more (the
 * sustained run, bench/README.md "Hostile input"); {@code -Dhopgate.hostile.skip=K} leaves out the first K targets.
 */
class GatewayHostileInputTest {
    /** Garbage datagrams per target; every 20th datagram a legitimate packet goes each way through the call. */
    private static final int PER_TARGET = Integer.getInteger("hopgate.hostile.per-target", 1500);
    private static final Duration ARRIVAL = Duration.ofSeconds(5);

    private GatewayService gateway;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    @AfterEach
    void stop() throws Exception {
        root.detachAppender(log);
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    @ParameterizedTest(name = "media.connect-sockets={0}")
    @ValueSource(booleans = {true, false})
    void shouldKeepServingAndLoseNoLegitimateMediaUnderRandomAndMutatedDatagrams(boolean connect) throws Exception {
        log.start();
        root.addAppender(log);
        gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "ng.listen=127.0.0.1:0", "media.port-min=31000", "media.port-max=31199",
            "media.connect-sockets=" + connect)));
        gateway.start();
        RtpPeer a = closeLater(new RtpPeer(0xA1));
        RtpPeer b = closeLater(new RtpPeer(0xB1));
        H248TestClient mgc = closeLater(new H248TestClient(gateway.controlAddress()));
        TransactionReply call = mgc.transaction("Context = $ {\n" + add("SendReceive", a.port()) + ",\n"
            + add("SendReceive", b.port()) + " }");
        assertThat(errorCode(call)).as(mgc.lastRaw).isZero();
        List<String> callTerms = H248TestClient.terminations(call);
        InetSocketAddress toA = local(localPort(call, 0));
        InetSocketAddress toB = local(localPort(call, 1));
        TransactionReply lonely = mgc.transaction("Context = $ { Add = $ { Media { Stream = 1 { LocalControl {"
            + " Mode = SendReceive }, Local { v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0 } } } } }");
        assertThat(errorCode(lonely)).as(mgc.lastRaw).isZero();
        InetSocketAddress noRemote = local(localPort(lonely, 0));

        List<InetSocketAddress> targets = List.of(gateway.controlAddress(), gateway.ngAddress(), toA,
            local(toA.getPort() + 1), toB, noRemote, local(noRemote.getPort() + 1))
            .subList(Integer.getInteger("hopgate.hostile.skip", 0), 7);
        List<List<byte[]>> corpora = List.of(h248Corpus(), ngCorpus(), rtpCorpus(), rtpCorpus(), rtpCorpus(),
            rtpCorpus(), rtpCorpus());
        Random random = new Random(20261207L ^ (connect ? 1 : 0));
        long bufferErrorsBefore = udpReceiveBufferErrors();
        Set<Integer> sentAB = new HashSet<>();
        Set<Integer> sentBA = new HashSet<>();
        // Read while sending: the test's own sockets would otherwise overflow, which is not the gateway's loss.
        TagReader atB = closeLater(new TagReader(b));
        TagReader atA = closeLater(new TagReader(a));
        try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getByName("127.0.0.3"))) {
            int tag = 1;
            for (int i = 0; i < PER_TARGET * targets.size(); i++) {
                int t = i % targets.size();
                byte[] garbage = mutate(corpora.get(7 - targets.size() + t), random);
                stranger.send(new DatagramPacket(garbage, garbage.length, targets.get(t)));
                if (i % 20 == 0) {
                    a.send(toA, tag);
                    sentAB.add(tag);
                    b.send(toB, 100_000 + tag);
                    sentBA.add(100_000 + tag);
                    tag++;
                }
            }
        }
        try {
            Await.until("every legitimate packet at b and at a", ARRIVAL.multipliedBy(2),
                () -> atB.tags.size() >= sentAB.size() && atA.tags.size() >= sentBA.size());
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": at b " + atB.tags.size() + " of " + sentAB.size() + ", at a "
                + atA.tags.size() + " of " + sentBA.size() + "; UDP receive-buffer drops on this host during the run: "
                + (udpReceiveBufferErrors() - bufferErrorsBefore) + "; the call's legs (received, sent): a "
                    + legCounts(callTerms.get(0)) + ", b "
                + legCounts(callTerms.get(1)), e);
        }
        assertThat(atB.tags).as("a -> b: every legitimate packet").isEqualTo(sentAB);
        assertThat(atA.tags).as("b -> a: every legitimate packet").isEqualTo(sentBA);

        // Both control protocols still answer a new peer that retransmits as a real MGC or proxy does (the kernel may
        // still drop a datagram while the flood drains from the socket's buffer).
        assertThat(ControlUnderLoadTest.auditRetransmittingLikeAnMgc(InetAddress.getByName("127.0.0.4"),
            gateway.controlAddress(), 777_000, 10_000)).as("H.248 AuditValue answered after the flood").isTrue();
        assertThat(ngPing(gateway.ngAddress())).contains("pong");
        String lonelyTerm = H248TestClient.terminations(lonely).get(0);
        Await.until("refused media counted on the leg without a remote", ARRIVAL,
            () -> gateway.plane().termination(lonelyTerm).statistics().dropped(DropReason.SOURCE)
                + gateway.plane().termination(lonelyTerm).statistics().dropped(DropReason.MALFORMED) > 0);
        List<String> traces = log.list.stream()
            .filter(e -> e.getThrowableProxy() != null || e.getLevel().isGreaterOrEqual(Level.ERROR))
            .map(e -> e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()).toList();
        assertThat(traces).as("nothing logged at ERROR or with a stack trace").isEmpty();
        // Rate-limited per cause and escaped: thousands of bad datagrams make a few dozen lines, all printable ASCII.
        List<String> lines = log.list.stream().filter(e -> e.getLoggerName().startsWith("io.hopgate"))
            .map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(lines.size()).as("log lines for %d bad datagrams: %s", PER_TARGET * targets.size(), lines)
            .isLessThan(150);
        assertThat(lines).as("what came from the wire is escaped")
            .allSatisfy(l -> assertThat(l.chars().allMatch(c -> c >= 0x20 && c < 0x7F)).as(l).isTrue());
    }

    private String legCounts(String term) {
        io.hopgate.media.TerminationCounters c = gateway.plane().termination(term).counters();
        return "(" + c.received() + ", " + c.sent() + ")";
    }

    /** RcvbufErrors of /proc/net/snmp (Linux), or 0 where it cannot be read: diagnostics only. */
    private static long udpReceiveBufferErrors() {
        try {
            List<String> udp = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp")).stream()
                .filter(l -> l.startsWith("Udp:")).toList();
            List<String> names = Arrays.asList(udp.get(0).split(" "));
            return Long.parseLong(udp.get(1).split(" ")[names.indexOf("RcvbufErrors")]);
        } catch (Exception e) {
            return 0;
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** Collects the tags a peer receives, on its own thread, until closed. */
    private static final class TagReader implements AutoCloseable {
        final Set<Integer> tags = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean open = true;
        private final Thread thread;

        TagReader(RtpPeer peer) {
            thread = new Thread(() -> {
                while (open) {
                    try {
                        RtpPeer.Received r = peer.receive(Duration.ofMillis(100));
                        if (r != null) {
                            tags.add(r.tag());
                        }
                    } catch (java.io.IOException e) {
                        return; // the socket closed
                    }
                }
            }, "tag-reader");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            open = false;
            thread.join(1000);
        }
    }

    /** An ng ping, retransmitted every 500 ms for up to 10 s (same cookie: answered from the cache if repeated). */
    private static String ngPing(InetSocketAddress ng) throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            s.setSoTimeout(500);
            byte[] ping = "after_flood d7:command4:pinge".getBytes(StandardCharsets.US_ASCII);
            for (int attempt = 0; attempt < 20; attempt++) {
                s.send(new DatagramPacket(ping, ping.length, ng));
                DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                try {
                    s.receive(in);
                    return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
                } catch (java.net.SocketTimeoutException e) {
                    // retransmit
                }
            }
            return "no answer in 10 s";
        }
    }

    private static List<byte[]> h248Corpus() {
        String head = "MEGACO/1 [127.0.0.3]:2944\n";
        return bytes(head + "Transaction = 1 { Context = - { AuditValue = ROOT { Audit { } } } }",
            head + "Transaction = 2 { Context = $ { Add = $ { Media { Stream = 1 { LocalControl { Mode = SendReceive },"
                + " Local { v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0 }, Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio 9"
                + " RTP/AVP 0 } } } } } }",
            head + "Transaction = 3 { Context = 999999 { Modify = rtp/1 { Media { Stream = 1 { LocalControl {"
                + " Mode = SendOnly } } } } } }",
            head + "TransactionResponseAck { 1, 2-40, 99 }",
            "!/1 [127.0.0.3]:2944 T=4{C=-{AV=ROOT{AT{}}}}",
            head + "Transaction = 5 { Context = 1 { Topology { rtp/1, rtp/2, oneway } } }");
    }

    private static List<byte[]> ngCorpus() {
        return bytes("c1 d7:command4:pinge",
            "c2 d7:command5:offer7:call-id4:fuzz8:from-tag1:a3:sdp58:"
                + "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 9 RTP/AVP 0\r\n" + "t=0 0\r\ne",
            "c3 d7:command6:delete7:call-id4:fuzze",
            "c4 d7:command4:listl1:ae5:limiti-5ee",
            "c5 d7:command5:query7:call-id" + "9".repeat(6) + ":xe");
    }

    private static List<byte[]> rtpCorpus() {
        ByteBuffer rtp = RtpPeer.packet(0xA1, 7, 160, 1); // the legitimate SSRC: a stranger cannot use it either
        byte[] valid = new byte[rtp.remaining()];
        rtp.get(valid);
        byte[] rtcp = {(byte) 0x80, (byte) 200, 0, 6, 0, 0, 0, (byte) 0xA1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0};
        return List.of(valid, rtcp, new byte[0], new byte[] {(byte) 0x80});
    }

    private static List<byte[]> bytes(String... texts) {
        return Arrays.stream(texts).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** One corpus entry, mutated: bytes flipped, cut, repeated or inserted; now and then pure noise. */
    static byte[] mutate(List<byte[]> corpus, Random random) {
        if (random.nextInt(8) == 0) {
            byte[] noise = new byte[random.nextInt(1500)];
            random.nextBytes(noise);
            return noise;
        }
        byte[] b = corpus.get(random.nextInt(corpus.size())).clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> {
                    byte[] longer = Arrays.copyOf(b, Math.min(65_000, b.length + at + 1));
                    System.arraycopy(b, 0, longer, b.length, longer.length - b.length);
                    b = longer;
                }
                default -> {
                    byte[] inserted = new byte[b.length + 1];
                    System.arraycopy(b, 0, inserted, 0, at);
                    inserted[at] = (byte) "{}=,:;\n\"0123456789-$*".charAt(random.nextInt(21));
                    System.arraycopy(b, at, inserted, at + 1, b.length - at);
                    b = inserted;
                }
            }
        }
        return b;
    }
}
