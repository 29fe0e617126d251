package io.hopgate.control.gateway;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.errorText;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.hopgate.control.LogCapture;
import io.hopgate.control.config.Config;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.megaco.MegacoEndpoint;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a hostile or careless peer does to the control plane, over the wire against a real gateway (issue 12,
 * item 5): floods of acks and requests, long messages, replies too large for a datagram, failing commands and
 * bytes that are not text.
 */
class ControlUnderLoadTest {
    private GatewayService gateway;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final LogCapture logs = new LogCapture();

    private H248TestClient start(String... extra) throws Exception {
        List<String> sets = new ArrayList<>(List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=21600", "media.port-max=21699"));
        sets.addAll(List.of(extra));
        gateway = new GatewayService(Config.load(null, sets));
        gateway.start();
        return client(InetAddress.getLoopbackAddress());
    }

    private H248TestClient client(InetAddress from) throws Exception {
        H248TestClient c = new H248TestClient(gateway.controlAddress(), from);
        closing.add(c);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        logs.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private static final String AUDIT_ROOT = "Context = - { AuditValue = ROOT { Audit { } } }";

    @Test
    @Timeout(120)
    void shouldAnswerAnAuditValueSoonAfterABurstOfRequestsAndAcks() throws Exception {
        start();
        InetAddress flooderAddress = InetAddress.getByName("127.0.0.2");
        InetSocketAddress target = gateway.controlAddress();
        int requests = 40_000;
        int acks = 5_000;
        try (DatagramSocket flooder = new DatagramSocket(0, flooderAddress)) {
            flooder.setSoTimeout(2_000);
            String head = "MEGACO/1 [127.0.0.2]:" + flooder.getLocalPort() + "\n";
            // Requests fill the reply cache, paced by their replies (a chunk, then the reply to its last one) so the
            // cache really holds them; then acks of 200 ids each that are not cached. Before the fix each ack
            // scanned the whole cache on the control thread, and the queue of tasks behind them had no bound.
            byte[] buf = new byte[65_535];
            for (int i = 1; i <= requests; i++) {
                byte[] b = (head + "Transaction = " + i + " { " + AUDIT_ROOT + " }").getBytes(StandardCharsets.UTF_8);
                flooder.send(new DatagramPacket(b, b.length, target));
                if (i % 200 == 0) {
                    awaitReply(flooder, buf, i);
                }
            }
            StringBuilder ranges = new StringBuilder();
            for (int k = 1; k <= 200; k++) {
                ranges.append(k == 1 ? "" : ",").append(1_000_000 + k);
            }
            byte[] ack = (head + "TransactionResponseAck { " + ranges + " }").getBytes(StandardCharsets.UTF_8);
            for (int i = 1; i <= acks; i++) {
                flooder.send(new DatagramPacket(ack, ack.length, target));
            }
        }
        long burstEnd = System.nanoTime();
        // Another MGC, and the flooding address itself from a fresh socket: both answered well within the deadline
        // (5 s; the target on an idle machine is 100 ms, which a loaded test machine cannot promise).
        long id = 900_000;
        for (InetAddress from : List.of(InetAddress.getLoopbackAddress(), flooderAddress)) {
            assertThat(auditRetransmittingLikeAnMgc(from, target, ++id, 10_000))
                .as("AuditValue from %s answered after the burst", from).isTrue();
        }
        long ms = (System.nanoTime() - burstEnd) / 1_000_000;
        assertThat(ms).as("AuditValue answered %d ms after the burst", ms).isLessThan(10_000);
        assertThat(gateway.controlEndpoint().queuedMessages()).as("backlog left by the burst").isLessThanOrEqualTo(512);
    }

    /** Reads replies until the one to {@code id} (or 2 s without one: it was dropped, the flood goes on). */
    private static void awaitReply(DatagramSocket socket, byte[] buf, long id) throws Exception {
        String wanted = "Reply = " + id + " ";
        try {
            while (true) {
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                socket.receive(in);
                if (new String(buf, 0, in.getLength(), StandardCharsets.UTF_8).contains(wanted)) {
                    return;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            // lost under load; pacing resumes with the next chunk
        }
    }

    /**
     * Sends an AuditValue and retransmits it every 500 ms as an MGC does (the kernel may drop a datagram while the
     * socket's buffer is full of the burst); true when its reply arrives within {@code deadlineMs}.
     */
    static boolean auditRetransmittingLikeAnMgc(InetAddress from, InetSocketAddress target, long id,
                                                        long deadlineMs) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, from)) {
            socket.setSoTimeout(500);
            byte[] out = ("MEGACO/1 [" + from.getHostAddress() + "]:" + socket.getLocalPort() + "\nTransaction = "
                + id + " { " + AUDIT_ROOT + " }").getBytes(StandardCharsets.UTF_8);
            long end = System.nanoTime() + deadlineMs * 1_000_000L;
            byte[] buf = new byte[65_535];
            while (System.nanoTime() - end < 0) {
                socket.send(new DatagramPacket(out, out.length, target));
                try {
                    DatagramPacket in = new DatagramPacket(buf, buf.length);
                    socket.receive(in);
                    String text = new String(buf, 0, in.getLength(), StandardCharsets.UTF_8);
                    if (text.contains("Reply = " + id + " ")) {
                        return true;
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // retransmit
                }
            }
            return false;
        }
    }

    @Test
    void shouldReadAMessageLongerThan2048Bytes() throws Exception {
        H248TestClient mgc = start();
        // 3000 bytes of whitespace inside the transaction: valid, and past Netty's default 2048-byte buffer.
        TransactionReply reply = mgc.transaction("  " + " ".repeat(3_000) + AUDIT_ROOT);
        assertThat(errorCode(reply)).as(mgc.lastRaw).isZero();
    }

    @Test
    void shouldRefuseAMessageOverControlMaxMessageBytesSayingSo() throws Exception {
        H248TestClient mgc = start("control.max-message-bytes=1024");
        String text = mgc.exchange("MEGACO/1 [127.0.0.1]:1\nTransaction = 5 { " + " ".repeat(1_500) + AUDIT_ROOT
            + " }").toString();
        assertThat(mgc.lastRaw).contains("400").contains("control.max-message-bytes=1024");
        assertThat(text).isNotEmpty();
    }

    @Test
    void shouldAnswerAReplyTooLargeForOneDatagramWithAnErrorThatSaysSo() throws Exception {
        H248TestClient mgc = start("control.max-message-bytes=4096");
        ListAppender<ILoggingEvent> log = logs.capture(MegacoEndpoint.class);
        for (int i = 0; i < 15; i++) {
            TransactionReply added = mgc.transaction("Context = $ { " + add("SendReceive", 16300 + 2 * i) + ", "
                + add("SendReceive", 16301 + 2 * i) + " }");
            assertThat(errorCode(added)).as(mgc.lastRaw).isZero();
        }
        TransactionReply audit = mgc.transaction("Context = * { AuditValue = * { Audit { Media } } }");
        assertThat(errorCode(audit)).as(mgc.lastRaw).isEqualTo(510);
        assertThat(errorText(audit)).contains("exceeds control.max-message-bytes=4096");
        assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("reply too large"));
    }

    @Test
    void shouldLogRepeatedCommandFailuresOncePerCause() throws Exception {
        H248TestClient mgc = start();
        ListAppender<ILoggingEvent> log = logs.capture(GatewayCommands.class);
        for (int i = 0; i < 5; i++) {
            TransactionReply r = mgc.transaction("Context = - { Modify = rtp/999 { } }");
            assertThat(errorCode(r)).isNotZero();
        }
        assertThat(log.list.stream().filter(e -> e.getFormattedMessage().startsWith("command failed")))
            .as("one WARN for five failures of one cause within 10 s").hasSize(1);
    }

    @Test
    void shouldEscapeWhatCameFromTheWireBeforeLoggingIt() throws Exception {
        H248TestClient mgc = start();
        ListAppender<ILoggingEvent> log = logs.capture(GatewayCommands.class);
        TransactionReply added = mgc.transaction("Context = $ { " + add("SendReceive", 16400) + " }");
        String term = H248TestClient.terminations(added).get(0);
        // SDP is an octet string: any byte but '}' may come in it. Invalid UTF-8, BEL, an ANSI escape, a newline
        // that would forge a log line.
        byte[] head = ("MEGACO/1 [127.0.0.1]:1\nTransaction = 9 { Context = " + H248TestClient.context(added)
            + " { Modify = " + term + " { Media { Stream = 1 { Remote { v=0\nc=IN IP4 ")
                .getBytes(StandardCharsets.UTF_8);
        byte[] junk = {(byte) 0xC3, 0x28, 0x07, 0x1B, '[', '2', 'J', '\r', 'F', 'A', 'K', 'E'};
        byte[] tail = "\nm=audio 16402 RTP/AVP 0 } } } } } }".getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        message.write(head);
        message.write(junk);
        message.write(tail);
        mgc.sendBytes(message.toByteArray());
        String reply = mgc.receive();
        assertThat(reply).as("the Modify failed").contains("Error");
        assertThat(log.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).startsWith("command failed"));
        for (ILoggingEvent e : log.list) {
            String line = e.getFormattedMessage();
            assertThat(line.chars().allMatch(c -> c >= 0x20 && c < 0x7F))
                .as("only printable ASCII in: %s", line).isTrue();
        }
    }

    @Test
    void shouldWarnLoudlyWhenTheControlPortIsOpenToAnyHost() {
        ListAppender<ILoggingEvent> log = logs.capture(GatewayService.class);
        assertThat(GatewayService.warnIfOpenToAnyone(Config.load(null, List.of("control.listen=0.0.0.0:2944"))
            .control())).isTrue();
        assertThat(log.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
            assertThat(e.getFormattedMessage()).startsWith("SECURITY").contains("control.allowed-peers")
                .contains("0.0.0.0:2944");
        });
        assertThat(GatewayService.warnIfOpenToAnyone(Config.load(null, List.of("control.listen=127.0.0.1:2944"))
            .control())).as("loopback").isFalse();
        assertThat(GatewayService.warnIfOpenToAnyone(Config.load(null, List.of("control.listen=0.0.0.0:2944",
            "control.allowed-peers=10.0.0.5")).control())).as("peers listed").isFalse();
        assertThat(log.list).hasSize(1);
    }
}
