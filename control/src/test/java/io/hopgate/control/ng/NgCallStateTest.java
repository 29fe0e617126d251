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

    @Test
    void shouldKeepAPendingDeleteDelayAcrossARestart() throws Exception {
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = new RtpPeer(31);
             RtpPeer callee = new RtpPeer(32);
             RedisClient client = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> settings = settings(redis, "ngdelay", 21500);
            GatewayService gateway = new GatewayService(Config.load(null, settings));
            gateway.start();
            long deletedAt;
            InetSocketAddress lateSendsTo = null;
            try (NgTestClient proxy = new NgTestClient(gateway.ngAddress())) {
                for (String id : List.of("soon", "late", "live")) {
                    Dict offered = proxy.call(NgDaemonTest.offer(id, "ftag", NgDaemonTest.sdp(caller.port())));
                    assertThat(text(offered, "result")).as(offered.toString()).isEqualTo("ok");
                    Dict answered = proxy.call(NgDaemonTest.answer(id, "ftag", "ttag",
                        NgDaemonTest.sdp(callee.port())));
                    assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("ok");
                    if (id.equals("late")) {
                        lateSendsTo = local(NgTestClient.audioPort(text(answered, "sdp")));
                    }
                }
                deletedAt = System.currentTimeMillis();
                assertThat(text(proxy.call(delete("soon", 1)), "result")).isEqualTo("ok");
                assertThat(text(proxy.call(delete("late", 6)), "result")).isEqualTo("ok");
                assertThat(String.join(" ", c.sync().mget(keys(c, "ngdelay")).stream()
                    .map(kv -> kv.getValueOrElse("")).toList()))
                    .as("the deadlines are in state.redis before the reply").contains("ng.delete-at-ms");
            } finally {
                gateway.close();
            }
            // The gateway is down past the first deadline, not the second.
            Await.until("soon's delete-delay ran out", Duration.ofSeconds(5),
                () -> System.currentTimeMillis() > deletedAt + 1200);
            GatewayService restarted = new GatewayService(Config.load(null, settings));
            restarted.start();
            try (NgTestClient proxy = new NgTestClient(restarted.ngAddress())) {
                assertThat(System.currentTimeMillis()).as("restarted before late's deadline")
                    .isLessThan(deletedAt + 6000);
                Dict list = proxy.call(Bencode.dict().put("command", "list").build());
                assertThat(list.toString()).as("soon is deleted at restore, late waits hidden, live is listed: "
                    + list).contains("live").doesNotContain("soon").doesNotContain("late");
                assertThat(text(proxy.call(query("soon")), "result")).isEqualTo("error");
                assertThat(text(proxy.call(query("late")), "result")).as("late still exists").isEqualTo("ok");
                assertThat(restarted.plane().contexts()).hasSize(2);
                caller.send(lateSendsTo, 7);
                assertThat(callee.receive(Duration.ofSeconds(2))).as("a call waiting for its delete carries media")
                    .isNotNull();
                Await.until("late is deleted at its deadline", Duration.ofSeconds(10),
                    () -> restarted.plane().contexts().size() == 1);
                assertThat(System.currentTimeMillis()).as("not before its deadline")
                    .isGreaterThanOrEqualTo(deletedAt + 6000);
                Await.until("state.redis holds only the live call",
                    () -> c.sync().smembers("hopgate:mg:ngdelay:contexts").size() == 1);
                assertThat(text(proxy.call(query("live")), "result")).isEqualTo("ok");
            } finally {
                restarted.close();
            }
        }
    }

    @Test
    void shouldAnswerACommandRetransmittedAcrossARestartFromTheKeptReply() throws Exception {
        int ngPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0,
            java.net.InetAddress.getLoopbackAddress())) {
            ngPort = probe.getLocalPort();
        }
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = new RtpPeer(41);
             RtpPeer callee = new RtpPeer(42);
             RedisClient client = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> settings = settings(redis, "ngcache", 21600, "ng.listen=127.0.0.1:" + ngPort,
                "control.reply-cache-ms=20000");
            Dict offer = NgDaemonTest.offer("cached", "ftag", NgDaemonTest.sdp(caller.port()));
            Dict delete = Bencode.dict().put("command", "delete").put("call-id", "cached").build();
            byte[] offerReply;
            byte[] deleteReply;
            GatewayService gateway = new GatewayService(Config.load(null, settings));
            gateway.start();
            // One proxy socket across both runs: a retransmission comes from the same address with the same cookie.
            try (NgTestClient proxy = new NgTestClient(local(ngPort))) {
                try {
                    assertThat(text(proxy.call("keep-1", offer), "result")).isEqualTo("ok");
                    offerReply = proxy.lastReply;
                    Dict answered = proxy.call("keep-2", NgDaemonTest.answer("cached", "ftag", "ttag",
                        NgDaemonTest.sdp(callee.port())));
                    assertThat(text(answered, "result")).isEqualTo("ok");
                    Dict deleted = proxy.call("keep-3", delete);
                    assertThat(deleted.toString()).as("the delete reports the call").contains("ftag");
                    deleteReply = proxy.lastReply;
                    assertThat(text(proxy.call("keep-4", query("cached")), "result")).isEqualTo("error");
                    Await.until("the three replies are kept in state.redis",
                        () -> c.sync().keys("hopgate:mg:ngcache:x:ng-reply:*").size() == 3);
                    String kept = c.sync().keys("hopgate:mg:ngcache:x:ng-reply:*").get(0);
                    assertThat(c.sync().pttl(kept)).as("they expire with control.reply-cache-ms")
                        .isBetween(1L, 20_000L);
                } finally {
                    gateway.close();
                }
                GatewayService restarted = new GatewayService(Config.load(null, settings));
                restarted.start();
                try {
                    proxy.call("keep-3", delete);
                    assertThat(latin1(proxy.lastReply)).as("the retransmitted delete gets its reply, not "
                        + "'unknown call-id'").isEqualTo(latin1(deleteReply));
                    proxy.call("keep-1", offer);
                    assertThat(latin1(proxy.lastReply)).as("the retransmitted offer gets its reply")
                        .isEqualTo(latin1(offerReply));
                    assertThat(restarted.plane().contexts()).as("and is not executed again").isEmpty();
                    Dict fresh = proxy.call("keep-5", delete);
                    assertThat(fresh.toString()).as("a new cookie executes").contains("unknown call-id");
                    Dict query = proxy.call("keep-4", query("cached"));
                    assertThat(text(query, "result")).as("a query is not kept: it runs again").isEqualTo("error");
                } finally {
                    restarted.close();
                }
            }
        }
    }

    @Test
    void shouldReadARestoredPartysSdpWithTheOptionsItWasReadWith() throws Exception {
        try (RedisServer redis = RedisServer.startOrSkip();
             RtpPeer caller = new RtpPeer(51);
             RtpPeer callee = new RtpPeer(52)) {
            List<String> settings = settings(redis, "ngoptions", 21700);
            // An RTP/AVPF offer taken as RTP/AVP, whose c= line names an address the caller is not at: the proxy's
            // media address says where it is.
            String avpf = NgDaemonTest.sdp(caller.port()).replace("RTP/AVP ", "RTP/AVPF ")
                .replace("c=IN IP4 127.0.0.1", "c=IN IP4 192.0.2.7");
            Dict offer = NgDaemonTest.offer("options", "ftag", avpf, "transport-protocol", "RTP/AVP",
                "media-address", "127.0.0.1");
            InetSocketAddress callerSendsTo;
            InetSocketAddress calleeSendsTo;
            GatewayService gateway = new GatewayService(Config.load(null, settings));
            gateway.start();
            try (NgTestClient proxy = new NgTestClient(gateway.ngAddress())) {
                Dict offered = proxy.call(offer);
                assertThat(text(offered, "result")).as(offered.toString()).isEqualTo("ok");
                Dict answered = proxy.call(NgDaemonTest.answer("options", "ftag", "ttag",
                    NgDaemonTest.sdp(callee.port())));
                assertThat(text(answered, "result")).as(answered.toString()).isEqualTo("ok");
                callerSendsTo = local(NgTestClient.audioPort(text(answered, "sdp")));
                calleeSendsTo = local(NgTestClient.audioPort(text(offered, "sdp")));
                assertThat(proxy.call(query("options")).toString()).as("before the restart")
                    .contains("\"address\"=\"127.0.0.1\"").doesNotContain("192.0.2.7");
            } finally {
                gateway.close();
            }
            GatewayService restarted = new GatewayService(Config.load(null, settings));
            restarted.start();
            try (NgTestClient proxy = new NgTestClient(restarted.ngAddress())) {
                Dict query = proxy.call(query("options"));
                assertThat(text(query, "result")).as("the RTP/AVPF party is restored: " + query).isEqualTo("ok");
                assertThat(query.toString()).as("its advertised endpoint is the media address, as before")
                    .contains("\"address\"=\"127.0.0.1\"").doesNotContain("192.0.2.7");
                callee.send(calleeSendsTo, 8);
                assertThat(caller.receive(Duration.ofSeconds(2))).as("callee to caller after the restart").isNotNull();
                caller.send(callerSendsTo, 9);
                assertThat(callee.receive(Duration.ofSeconds(2))).as("caller to callee after the restart").isNotNull();
            } finally {
                restarted.close();
            }
        }
    }

    private static String latin1(byte[] datagram) {
        return new String(datagram, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String[] keys(StatefulRedisConnection<String, String> c, String mid) {
        return c.sync().smembers("hopgate:mg:" + mid + ":contexts").stream()
            .map(id -> "hopgate:mg:" + mid + ":ctx:" + id).toArray(String[]::new);
    }

    private static Dict delete(String callId, long delaySeconds) {
        return Bencode.dict().put("command", "delete").put("call-id", callId).put("delete-delay", delaySeconds)
            .build();
    }

    private static Dict query(String callId) {
        return Bencode.dict().put("command", "query").put("call-id", callId).build();
    }

    /** The local port of the termination whose remote is {@code remotePort} (where that party sends). */
    private static int portFacing(GatewayService gateway, int remotePort) {
        return gateway.plane().terminations().stream()
            .filter(t -> t.remote() != null && t.remote().rtp().getPort() == remotePort)
            .findFirst().orElseThrow().rtpPort();
    }
}
