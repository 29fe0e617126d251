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
 * ng calls survive a gateway restart (docs/ha.md, "ng calls"): each ng command's change is written to state.redis
 * with the call's attributes, and a gateway started again on the same addresses restores the call: media flows
 * through the same ports without a command, and the proxy's next query, re-offer and delete find the call. The
 * H.248 call beside it is replicated as before, egress continuity included (that write comes from the sweep).
 */
class NgStateReplicationTest {

    @Test
    void shouldRestoreTheNgCallAndTheH248CallAfterARestart() throws Exception {
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = new RtpPeer(11);
             RtpPeer callee = new RtpPeer(12);
             RtpPeer movedCaller = new RtpPeer(15);
             RtpPeer a = new RtpPeer(13);
             RtpPeer b = new RtpPeer(14);
             DatagramSocket mgc = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            List<String> settings = List.of("control.listen=127.0.0.1:0", "admin.listen=", "ng.listen=127.0.0.1:0",
                "media.port-min=21300", "media.port-max=21399", "gateway.mid=ngstate", "state.redis=" + redis.uri(),
                "ng.delete-delay-ms=0");
            GatewayService gateway = new GatewayService(Config.load(null, settings));
            gateway.start();
            InetSocketAddress callerSendsTo;
            InetSocketAddress calleeSendsTo;
            int h248Context;
            String key = "hopgate:mg:ngstate:";
            try (NgTestClient proxy = new NgTestClient(gateway.ngAddress());
                 RedisClient client = RedisClient.create(redis.uri());
                 StatefulRedisConnection<String, String> c = client.connect()) {
                Dict offered = proxy.call(NgDaemonTest.offer("ng-call", "ftag", NgDaemonTest.sdp(caller.port())));
                assertThat(text(offered, "result")).as(offered.toString()).isEqualTo("ok");
                Dict answered = proxy.call(NgDaemonTest.answer("ng-call", "ftag", "ttag",
                    NgDaemonTest.sdp(callee.port())));
                assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("ok");
                callerSendsTo = new InetSocketAddress("127.0.0.1", audioPort(text(answered, "sdp")));
                calleeSendsTo = new InetSocketAddress("127.0.0.1", audioPort(text(offered, "sdp")));
                caller.send(callerSendsTo, 1);
                assertThat(callee.receive(Duration.ofSeconds(2))).as("the ng call carries RTP").isNotNull();

                String reply = h248(mgc, gateway.controlAddress(), "Context = $ {\n" + add(a.port()) + ",\n"
                    + add(b.port()) + " }");
                assertThat(reply).doesNotContain("Error");
                List<Termination> h248Terms = gateway.plane().terminations().stream()
                    .filter(t -> t.remote() != null && (t.remote().rtp().getPort() == a.port()
                        || t.remote().rtp().getPort() == b.port()))
                    .toList();
                assertThat(h248Terms).hasSize(2);
                h248Context = h248Terms.get(0).context().id();
                InetSocketAddress gw1 = h248Terms.stream().filter(t -> t.remote().rtp().getPort() == a.port())
                    .findFirst().orElseThrow().localRtp();
                a.send(gw1, 2);
                assertThat(b.receive(Duration.ofSeconds(2))).as("the H.248 call carries RTP").isNotNull();
                Await.until("the sweep writes the H.248 call's egress continuity", () -> {
                    String json = c.sync().get(key + "ctx:" + h248Context);
                    return json != null && json.contains("\"outputSsrc\":13");
                });
                Set<String> stored = c.sync().smembers(key + "contexts");
                assertThat(stored).as("both calls are replicated").hasSize(2).contains(Integer.toString(h248Context));
                String ngContext = stored.stream().filter(id -> !id.equals(Integer.toString(h248Context)))
                    .findFirst().orElseThrow();
                assertThat(c.sync().get(key + "ctx:" + ngContext)).contains("ng-call").contains("ttag");
            } finally {
                gateway.close();
            }

            GatewayService restarted = new GatewayService(Config.load(null, settings));
            restarted.start();
            try (NgTestClient proxy = new NgTestClient(restarted.ngAddress());
                 RedisClient client = RedisClient.create(redis.uri());
                 StatefulRedisConnection<String, String> c = client.connect()) {
                assertThat(restarted.plane().contexts()).as("both calls restored").hasSize(2);
                // Media resumes through the same ports, both ways, without a command.
                caller.send(callerSendsTo, 3);
                assertThat(callee.receive(Duration.ofSeconds(2))).as("caller to callee after the restart")
                    .isNotNull();
                callee.send(calleeSendsTo, 4);
                assertThat(caller.receive(Duration.ofSeconds(2))).as("callee to caller after the restart")
                    .isNotNull();
                // The proxy's next commands find the call.
                Dict query = proxy.call(Bencode.dict().put("command", "query").put("call-id", "ng-call").build());
                assertThat(text(query, "result")).as(query.toString()).isEqualTo("ok");
                assertThat(query.toString()).contains("ftag").contains("ttag");
                Dict reoffer = proxy.call(NgDaemonTest.offer("ng-call", "ftag",
                    NgDaemonTest.sdp(movedCaller.port())));
                assertThat(text(reoffer, "result")).as(reoffer.toString()).isEqualTo("ok");
                assertThat(audioPort(text(reoffer, "sdp"))).as("the callee's port stays").isEqualTo(
                    calleeSendsTo.getPort());
                callee.send(calleeSendsTo, 5);
                assertThat(movedCaller.receive(Duration.ofSeconds(2))).as("the re-offer re-pointed the caller's leg")
                    .isNotNull();
                Dict deleted = proxy.call(Bencode.dict().put("command", "delete").put("call-id", "ng-call").build());
                assertThat(text(deleted, "result")).as(deleted.toString()).isEqualTo("ok");
                Await.until("the deleted ng call is gone from state.redis",
                    () -> c.sync().smembers(key + "contexts").equals(Set.of(Integer.toString(h248Context))));
                assertThat(restarted.plane().contexts()).hasSize(1);
            } finally {
                restarted.close();
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
