package io.hopgate.control.ng;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.state.RedisServer;
import io.hopgate.media.RtpPeer;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.hopgate.control.ng.NgTestClient.text;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What of an ng call's state goes to state.redis beyond its media (docs/ha.md, "ng calls"): state.on-failure=refuse,
 * a pending delete-delay across a restart, the reply cache across a restart.
 */
class NgCallStateTest {

    private static List<String> settings(RedisServer redis, String mid, int portMin, String... extra) {
        List<String> out = new ArrayList<>(List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "ng.listen=127.0.0.1:0", "media.port-min=" + portMin, "media.port-max=" + (portMin + 99),
            "gateway.mid=" + mid, "state.redis=" + redis.uri(), "ng.delete-delay-ms=0"));
        out.addAll(List.of(extra));
        return out;
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    @Test
    void shouldAnswerAnErrorNamingTheCauseWhenRefuseIsSetAndRedisIsDown() throws Exception {
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = new RtpPeer(21);
             RtpPeer callee = new RtpPeer(22)) {
            GatewayService gateway = new GatewayService(Config.load(null, settings(redis, "ngrefuse", 21400,
                "state.on-failure=refuse")));
            gateway.start();
            try (NgTestClient proxy = new NgTestClient(gateway.ngAddress())) {
                Dict offered = proxy.call(NgDaemonTest.offer("refused", "ftag", NgDaemonTest.sdp(caller.port())));
                assertThat(text(offered, "result")).as("Redis up: " + offered).isEqualTo("ok");
                redis.stop();
                Dict answered = proxy.call(NgDaemonTest.answer("refused", "ftag", "ttag",
                    NgDaemonTest.sdp(callee.port())));
                assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("error");
                assertThat(text(answered, "error-reason")).as(answered.toString())
                    .contains("not written to state.redis", "state.on-failure=refuse");
                // The change stays applied: the answer pointed the callee's leg, so media flows caller to callee.
                // The answer's SDP is lost with the error: the caller sends to its leg's port, read from the plane.
                caller.send(local(portFacing(gateway, caller.port())), 1);
                assertThat(callee.receive(Duration.ofSeconds(2))).as("the refused answer is applied").isNotNull();
                Dict deleted = proxy.call(Bencode.dict().put("command", "delete").put("call-id", "refused").build());
                assertThat(text(deleted, "result")).as("a delete not written is refused too: " + deleted)
                    .isEqualTo("error");
                assertThat(gateway.plane().contexts()).as("but the call is deleted").isEmpty();
            } finally {
                gateway.close();
            }
        }
    }

    /** The local port of the termination whose remote is {@code remotePort} (where that party sends). */
    private static int portFacing(GatewayService gateway, int remotePort) {
        return gateway.plane().terminations().stream()
            .filter(t -> t.remote() != null && t.remote().rtp().getPort() == remotePort)
            .findFirst().orElseThrow().rtpPort();
    }
}
