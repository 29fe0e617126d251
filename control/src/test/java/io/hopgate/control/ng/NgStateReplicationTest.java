package io.hopgate.control.ng;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.state.RedisServer;
import io.hopgate.media.Await;
import io.hopgate.media.RtpPeer;
import io.hopgate.media.Termination;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.hopgate.control.ng.NgTestClient.audioPort;
import static io.hopgate.control.ng.NgTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * ng calls are not written to state.redis (docs/ha.md, "ng calls"): their contexts would come back after a restart
 * without the ng call that owns them. The H.248 call beside it is, egress continuity included (that write comes from
 * the sweep, so the sweep has seen the ng call's context too).
 */
class NgStateReplicationTest {

    @Test
    void shouldReplicateTheH248CallButNotTheNgCall() throws Exception {
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = new RtpPeer(11);
             RtpPeer callee = new RtpPeer(12);
             RtpPeer a = new RtpPeer(13);
             RtpPeer b = new RtpPeer(14);
             DatagramSocket mgc = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            GatewayService gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0",
                "admin.listen=", "ng.listen=127.0.0.1:0", "media.port-min=21300", "media.port-max=21399",
                "gateway.mid=ngstate", "state.redis=" + redis.uri())));
            gateway.start();
            try (NgTestClient proxy = new NgTestClient(gateway.ngAddress());
                 RedisClient client = RedisClient.create(redis.uri());
                 StatefulRedisConnection<String, String> c = client.connect()) {
                Dict offered = proxy.call(NgDaemonTest.offer("ng-call", "ftag", NgDaemonTest.sdp(caller.port())));
                assertThat(text(offered, "result")).as(offered.toString()).isEqualTo("ok");
                Dict answered = proxy.call(NgDaemonTest.answer("ng-call", "ftag", "ttag",
                    NgDaemonTest.sdp(callee.port())));
                assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("ok");
                caller.send(new InetSocketAddress("127.0.0.1", audioPort(text(answered, "sdp"))), 1);
                assertThat(callee.receive(Duration.ofSeconds(2))).as("the ng call carries RTP").isNotNull();

                String reply = h248(mgc, gateway.controlAddress(), "Context = $ {\n" + add(a.port()) + ",\n"
                    + add(b.port()) + " }");
                assertThat(reply).doesNotContain("Error");
                List<Termination> h248Terms = gateway.plane().terminations().stream()
                    .filter(t -> t.remote() != null && (t.remote().rtp().getPort() == a.port()
                        || t.remote().rtp().getPort() == b.port()))
                    .toList();
                assertThat(h248Terms).hasSize(2);
                int h248Context = h248Terms.get(0).context().id();
                InetSocketAddress gw1 = h248Terms.stream().filter(t -> t.remote().rtp().getPort() == a.port())
                    .findFirst().orElseThrow().localRtp();
                a.send(gw1, 2);
                assertThat(b.receive(Duration.ofSeconds(2))).as("the H.248 call carries RTP").isNotNull();

                String key = "hopgate:mg:ngstate:";
                Await.until("the sweep writes the H.248 call's egress continuity", () -> {
                    String json = c.sync().get(key + "ctx:" + h248Context);
                    return json != null && json.contains("\"outputSsrc\":13");
                });
                // A source switch the next sweep records: once it is in, the sweep before it has finished every
                // context (one sweep thread, writes awaited), the ng call's too.
                a.ssrc(99);
                a.send(gw1, 3);
                assertThat(b.receive(Duration.ofSeconds(2))).isNotNull();
                Await.until("the next sweep writes the source switch", () -> {
                    String json = c.sync().get(key + "ctx:" + h248Context);
                    return json != null && json.contains("\"sourceSsrc\":99");
                });
                assertThat(gateway.plane().contexts()).hasSize(2);
                Set<String> stored = c.sync().smembers(key + "contexts");
                assertThat(stored).as("only the H.248 call is replicated").containsExactly(
                    Integer.toString(h248Context));
            } finally {
                gateway.close();
            }
        }
    }

    private static String add(int remotePort) {
        return "Add = $ { Media { Stream = 1 { LocalControl { Mode = SendReceive },\n"
            + "Local { v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0 },\n"
            + "Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio " + remotePort + " RTP/AVP 0 } } } }";
    }

    private static String h248(DatagramSocket socket, InetSocketAddress gateway, String body) throws Exception {
        byte[] out = ("MEGACO/1 [127.0.0.1]:" + socket.getLocalPort() + "\nTransaction = 1 {\n" + body + "\n}\n")
            .getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length, gateway));
        socket.setSoTimeout(5000);
        byte[] in = new byte[8192];
        DatagramPacket p = new DatagramPacket(in, in.length);
        socket.receive(p);
        return new String(in, 0, p.getLength(), StandardCharsets.UTF_8);
    }
}
