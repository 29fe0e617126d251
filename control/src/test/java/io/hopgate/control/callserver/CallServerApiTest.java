package io.hopgate.control.callserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.config.Config;
import io.hopgate.control.demo.Harness;
import io.hopgate.control.demo.Harness.Reply;
import io.hopgate.control.gateway.GatewayService;
import java.net.DatagramSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API's answers: 4xx with a message for bad requests, 409 with the state, duplicates harmless. */
class CallServerApiTest {
    private static final AtomicInteger PORTS = new AtomicInteger(31000);

    private Harness h;

    @AfterEach
    void close() {
        if (h != null) {
            h.close();
        }
    }

    private Harness start() throws Exception {
        h = Harness.start(2, 5000, 50, PORTS.getAndAdd(200));
        return h;
    }

    private Reply post(String path, String json) {
        return h.api("post", "POST", path, json);
    }

    private String state() {
        return h.api("get", "GET", "/calls/" + h.callId(), null).body().path("state").asText();
    }

    @Test
    void shouldAnswerBadRequestsWith400AndAMessage() throws Exception {
        start();
        assertThat(post("/calls", "{not json").status()).isEqualTo(400);
        Reply missing = post("/calls", "{\"gateway\":\"G1\",\"far\":\"127.0.0.1:4000\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().path("error").asText()).contains("radio");
        Reply badPort = post("/calls", "{\"gateway\":\"G1\",\"far\":\"127.0.0.1:99999\",\"radio\":\"127.0.0.1:4\"}");
        assertThat(badPort.status()).isEqualTo(400);
        assertThat(badPort.body().path("error").asText()).contains("99999");
        Reply unknownGw = post("/calls",
            "{\"gateway\":\"G9\",\"far\":\"127.0.0.1:4000\",\"radio\":\"127.0.0.1:4002\"}");
        assertThat(unknownGw.status()).isEqualTo(400);
        assertThat(unknownGw.body().path("error").asText()).contains("G9");
        assertThat(post("/calls/nope/handoff/detect", null).status()).isEqualTo(404);
        assertThat(post("/calls/nope/handoff/bogus", null).status()).isEqualTo(404);
    }

    @Test
    void shouldRefuseEventsThatDoNotFitTheStateWith409() throws Exception {
        start();
        h.createCall("G1", h.radio("bss1"));
        String id = h.callId();
        Reply early = post("/calls/" + id + "/handoff/detect", null);
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.body().path("state").asText()).isEqualTo("ACTIVE");
        assertThat(post("/calls/" + id + "/handoff/complete", null).status()).isEqualTo(409);
        assertThat(post("/calls/" + id + "/handoff/failure", null).status()).isEqualTo(409);
        String required = "{\"gateway\":\"G2\",\"radio\":\"" + hostPort(h.radio("bss2").address()) + "\"}";
        assertThat(post("/calls/" + id + "/handoff/required", required).status()).isEqualTo(200);
        Reply tooSoon = post("/calls/" + id + "/handoff/complete", null);
        assertThat(tooSoon.status()).isEqualTo(409);
        assertThat(tooSoon.body().path("state").asText()).isEqualTo("PREPARED");
        String other = "{\"gateway\":\"G1\",\"radio\":\"127.0.0.1:4999\"}";
        assertThat(post("/calls/" + id + "/handoff/required", other).status()).isEqualTo(409);
        assertThat(state()).isEqualTo("PREPARED");
    }

    @Test
    void shouldTreatDuplicateEventsAsHarmless() throws Exception {
        start();
        h.createCall("G1", h.radio("bss1"));
        h.hold(100);
        String id = h.callId();
        Harness.Step step = h.begin("duplicates");
        String required = "{\"gateway\":\"G2\",\"radio\":\"" + hostPort(h.radio("bss2").address()) + "\"}";
        assertThat(h.event(step, "required", required).status()).isEqualTo(200);
        Reply again = h.event(step, "required", required);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("duplicate").asBoolean()).isTrue();
        assertThat(h.event(step, "detect", null).status()).isEqualTo(200);
        assertThat(h.event(step, "detect", null).body().path("duplicate").asBoolean()).isTrue();
        assertThat(h.event(step, "complete", null).status()).isEqualTo(200);
        assertThat(h.event(step, "complete", null).body().path("duplicate").asBoolean()).isTrue();
        assertThat(h.event(step, "required", required).body().path("duplicate").asBoolean()).isTrue();
        assertThat(state()).isEqualTo("ACTIVE");
        // One handoff happened: G1 keeps T2 and T3, G2 one context with T4 and T5 (X goes UPLINK_OVERLAP_MS after
        // detect: packets in flight on the old path still arrive).
        io.hopgate.media.Await.until("X retired", java.time.Duration.ofSeconds(5),
            () -> h.gateways().get(0).plane().terminations().size() == 2);
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
        assertThat(h.gateways().get(1).plane().terminations()).hasSize(2);
        long completes = h.api("get", "GET", "/calls/" + id, null).body().path("history").findValuesAsText("event")
            .stream().filter("complete"::equals).count();
        assertThat(completes).isEqualTo(1);
        assertThat(post("/calls/" + id + "/release", null).status()).isEqualTo(200);
        assertThat(post("/calls/" + id + "/release", null).body().path("duplicate").asBoolean()).isTrue();
        assertThat(h.api("delete", "DELETE", "/calls/" + id, null).status()).isEqualTo(200);
        assertThat(post("/calls/" + id + "/handoff/detect", null).status()).isEqualTo(409);
        assertThat(h.gateways().get(0).plane().contexts()).isEmpty();
        assertThat(h.gateways().get(1).plane().contexts()).isEmpty();
    }

    @Test
    void shouldKeepCallConsistentUnderConcurrentDuplicateAndOutOfOrderEvents() throws Exception {
        start();
        h.createCall("G1", h.radio("bss1"));
        h.hold(100);
        String id = h.callId();
        String required = "{\"gateway\":\"G2\",\"radio\":\"" + hostPort(h.radio("bss2").address()) + "\"}";
        HttpClient client = HttpClient.newHttpClient();
        URI base = h.base();
        List<String> burst = List.of("complete", "detect", "required", "required", "detect", "complete", "detect");
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> answers = burst.stream().map(event ->
            client.sendAsync(HttpRequest.newBuilder(base.resolve("/calls/" + id + "/handoff/" + event))
                .POST(event.equals("required") ? HttpRequest.BodyPublishers.ofString(required)
                    : HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())).toList();
        for (var a : answers) {
            assertThat(a.get().statusCode()).isIn(200, 409);
        }
        String s = state();
        assertThat(s).isIn("ACTIVE", "PREPARED", "DETECTED");
        // Whatever order they were served in, the call is in a state the events can finish from.
        if (!s.equals("ACTIVE")) {
            assertThat(post("/calls/" + id + "/handoff/failure", null).status()).isEqualTo(200);
        }
        h.hold(100);
        h.stopTraffic();
        Reply view = h.api("get", "GET", "/calls/" + id, null);
        String gateway = view.body().at("/serving/gateway").asText();
        // A revert after detect releases the new path UPLINK_OVERLAP_MS later (section 2.8): wait for it.
        int g2Expected = gateway.equals("G2") ? 2 : 0;
        io.hopgate.media.Await.until("each gateway holds only the serving call's legs", java.time.Duration.ofSeconds(5),
            () -> h.gateways().get(0).plane().terminations().size() == 2
                && h.gateways().get(1).plane().terminations().size() == g2Expected);
        assertThat(h.gateways().get(0).plane().terminations()).hasSize(2);
        assertThat(h.gateways().get(1).plane().terminations()).hasSize(g2Expected);
    }

    @Test
    void shouldSurfaceGatewayErrorsWithCodeAndTimeouts() throws Exception {
        // A gateway with one port pair: the second Add of a call fails in the gateway with an H.248 error.
        // Retransmission starts at 10 ms; a cold gateway answers Pending after 100 ms, within the 4 retries.
        GatewayService small = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0",
            "admin.listen=", "media.port-min=27990", "media.port-max=27991")));
        small.start();
        int silent;
        try (DatagramSocket s = new DatagramSocket(0)) {
            silent = s.getLocalPort(); // nothing answers there once closed
        }
        CallServerService cs = new CallServerService(Config.load(null, List.of("callserver.h248.listen=127.0.0.1:0",
            "callserver.api.listen=127.0.0.1:0", "callserver.sip.listen=", "callserver.h248-retransmit-ms=10",
                "callserver.h248-retries=4",
            "callserver.gateways=S=127.0.0.1:" + small.controlAddress().getPort() + ",D=127.0.0.1:" + silent)));
        try {
            cs.start();
            HttpClient client = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + cs.apiAddress().getPort());
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/calls")).POST(
                HttpRequest.BodyPublishers.ofString("{\"gateway\":\"S\",\"far\":\"127.0.0.1:4000\",\"radio\":"
                    + "\"127.0.0.1:4002\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(502);
            assertThat(r.body()).containsPattern("error 5\\d\\d");
            assertThat(small.plane().contexts()).isEmpty();
            HttpResponse<String> t = client.send(HttpRequest.newBuilder(base.resolve("/calls")).POST(
                HttpRequest.BodyPublishers.ofString("{\"gateway\":\"D\",\"far\":\"127.0.0.1:4000\",\"radio\":"
                    + "\"127.0.0.1:4002\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(t.statusCode()).isEqualTo(502);
            assertThat(t.body()).contains("no reply");
        } finally {
            cs.close();
            small.close();
        }
    }

    private static String hostPort(java.net.InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

}
