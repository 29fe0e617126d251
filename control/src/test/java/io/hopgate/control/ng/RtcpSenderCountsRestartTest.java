package io.hopgate.control.ng;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.state.RedisServer;
import io.hopgate.media.Await;
import io.hopgate.media.RtpPeer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import static io.hopgate.control.ng.NgTestClient.audioPort;
import static io.hopgate.control.ng.NgTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * RTCP sender counts continue across a gateway restart (docs/ha.md, "RTCP sender counts"): the sender report the far
 * end gets after the restart counts the packets and octets sent before it too. Driven over ng; the counts are the
 * gateway's (GatewayCallState's sweep, GatewayRestore), whichever front end made the call.
 */
class RtcpSenderCountsRestartTest {
    private static final int PAYLOAD_OCTETS = 160; // RtpPeer's G.711 packets

    @Test
    void shouldContinueTheSenderCountsOfAnSrAfterARestart() throws Exception {
        DatagramSocket[] callerRtcp = new DatagramSocket[1];
        DatagramSocket[] calleeRtcp = new DatagramSocket[1];
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = pair(61, 23_000, callerRtcp);
             DatagramSocket callerControl = callerRtcp[0];
             RtpPeer callee = pair(62, 23_100, calleeRtcp);
             DatagramSocket calleeControl = calleeRtcp[0];
             RedisClient client = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> settings = List.of("control.listen=127.0.0.1:0", "admin.listen=", "ng.listen=127.0.0.1:0",
                "media.port-min=21800", "media.port-max=21899", "gateway.mid=ngsent", "state.redis=" + redis.uri(),
                "ng.delete-delay-ms=0");
            InetSocketAddress callerSendsTo;
            GatewayService gateway = new GatewayService(Config.load(null, settings));
            gateway.start();
            try (NgTestClient proxy = new NgTestClient(gateway.ngAddress())) {
                Dict offered = proxy.call(NgDaemonTest.offer("sent", "ftag", NgDaemonTest.sdp(caller.port())));
                assertThat(text(offered, "result")).as(offered.toString()).isEqualTo("ok");
                Dict answered = proxy.call(NgDaemonTest.answer("sent", "ftag", "ttag",
                    NgDaemonTest.sdp(callee.port())));
                assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("ok");
                callerSendsTo = new InetSocketAddress("127.0.0.1", audioPort(text(answered, "sdp")));
                relay(caller, callee, callerSendsTo, 5);
                assertThat(senderReport(callerControl, calleeControl, callerSendsTo))
                    .as("before the restart the SR counts what was sent").containsExactly(5, 5 * PAYLOAD_OCTETS);
                Await.until("the sweep keeps the sender counts in state.redis",
                    () -> c.sync().hgetall("hopgate:mg:ngsent:t:sent").containsValue("5:" + 5 * PAYLOAD_OCTETS));
            } finally {
                gateway.close();
            }
            GatewayService restarted = new GatewayService(Config.load(null, settings));
            restarted.start();
            try {
                relay(caller, callee, callerSendsTo, 3);
                assertThat(senderReport(callerControl, calleeControl, callerSendsTo))
                    .as("after the restart the SR continues the counts").containsExactly(8, 8 * PAYLOAD_OCTETS);
                Await.until("the sweep keeps the new counts",
                    () -> c.sync().hgetall("hopgate:mg:ngsent:t:sent").containsValue("8:" + 8 * PAYLOAD_OCTETS));
            } finally {
                restarted.close();
            }
        }
    }

    /** Sends {@code n} RTP packets from {@code from} and waits for each at {@code to}. */
    private static void relay(RtpPeer from, RtpPeer to, InetSocketAddress gateway, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            from.send(gateway, i);
            assertThat(to.receive(Duration.ofSeconds(2))).as("RTP packet " + i + " relayed").isNotNull();
        }
    }

    /**
     * Sends a sender report (with counts of its own, which the gateway replaces) from the caller's RTCP port to the
     * gateway's and returns the packet and octet counts of the one the callee's RTCP port gets.
     */
    private static long[] senderReport(DatagramSocket from, DatagramSocket to, InetSocketAddress gatewayRtp)
        throws IOException {
        ByteBuffer sr = ByteBuffer.allocate(28);
        sr.put((byte) 0x80).put((byte) 200).putShort((short) 6).putInt(61).putInt(0x12345678).putInt(0)
            .putInt(160_000).putInt(999_999).putInt(999_999);
        // Sent again if none arrives within a second (at most 5 times): in one full-suite run on a loaded machine the
        // first report did not come out (not reproduced alone, cause not found). The counts it carries out do not
        // depend on how many reports went through, so a resend cannot make the assertion pass wrongly.
        to.setSoTimeout(1000);
        byte[] in = new byte[1500];
        DatagramPacket p = new DatagramPacket(in, in.length);
        for (int attempt = 1; ; attempt++) {
            from.send(new DatagramPacket(sr.array(), 28, new InetSocketAddress(gatewayRtp.getAddress(),
                gatewayRtp.getPort() + 1)));
            try {
                to.receive(p);
                break;
            } catch (java.net.SocketTimeoutException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
        ByteBuffer got = ByteBuffer.wrap(in, 0, p.getLength());
        assertThat(got.get(1) & 0xFF).as("an SR arrives").isEqualTo(200);
        return new long[] {got.getInt(20) & 0xFFFF_FFFFL, got.getInt(24) & 0xFFFF_FFFFL};
    }

    /** An RTP peer on a free even port from {@code from} on, with a socket on the next port for its RTCP. */
    private static RtpPeer pair(int ssrc, int from, DatagramSocket[] rtcp) throws IOException {
        for (int port = from; port < from + 100; port += 2) {
            DatagramSocket control;
            try {
                control = new DatagramSocket(port + 1, InetAddress.getLoopbackAddress());
            } catch (SocketException taken) {
                continue;
            }
            try {
                RtpPeer peer = new RtpPeer(ssrc, port);
                rtcp[0] = control;
                return peer;
            } catch (IOException taken) {
                control.close();
            }
        }
        throw new IllegalStateException("no free port pair in " + from + "-" + (from + 99));
    }
}
