package io.hopgate.control.callserver;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hopgate.control.LogCapture;
import io.hopgate.control.config.Config;
import io.hopgate.control.demo.RtpEndpoint;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.state.RedisRecordStore;
import io.hopgate.control.state.RedisServer;
import io.hopgate.media.Await;
import io.hopgate.media.Termination;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The call server's own state in Redis (docs/ha.md, "Call server"): a real redis-server, two real gateways over real
 * H.248 on 127.0.0.1 (they keep running), the call server closed in the middle of a handoff and a new one started on
 * the same Redis under the same callserver.name. The new one completes, rolls back or times out the handoff on the
 * same gateways; media is checked on the path the call ends on. Without Redis the call server starts at once, empty,
 * and says so.
 */
class CallServerRestartTest {
    /** Media ports of the gateways: below the ephemeral range (32768-), where the test endpoints bind. */
    private static final AtomicInteger PORTS = new AtomicInteger(29000);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RedisServer redis;

    private final List<GatewayService> gateways = new ArrayList<>();
    private final List<RtpEndpoint> endpoints = new ArrayList<>();
    private final LogCapture logs = new LogCapture();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final String name = "cs-restart-" + NAMES.incrementAndGet();
    private CallServerService server;

    private record Reply(int status, JsonNode body) {
    }

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.startOrSkip();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void close() {
        logs.close();
        if (server != null) {
            server.close();
        }
        endpoints.forEach(RtpEndpoint::close);
        gateways.forEach(GatewayService::close);
    }

    // ---------------------------------------------------------------- the three cases

    @Test
    void shouldCompleteAHandoffThatWasRequiredBeforeTheRestart() throws Exception {
        startGateways();
        startCallServer(redis.uri(), 60_000);
        CallUnderTest call = createCall();
        RtpEndpoint bss2 = endpoint("bss2", 2);
        InetSocketAddress bss2To = required(call, "G2", bss2);
        // written before the API answered: Redis holds the handoff the moment required returns
        CallRecord kept = stored().get(call.id());
        assertThat(kept.state()).isEqualTo(CallState.PREPARED);
        assertThat(kept.handoff().target().gateway()).isEqualTo("G2");

        restartCallServer(60_000);
        JsonNode restored = get("/calls/" + call.id()).body();
        assertThat(restored.path("state").asText()).isEqualTo("PREPARED");
        assertThat(restored.path("handoff").path("target").path("gateway").asText()).isEqualTo("G2");
        assertThat(restored.path("history").findValuesAsText("event")).containsExactly("create", "required");
        assertThat(get("/calls").body().findValuesAsText("id")).containsExactly(call.id());

        assertThat(post("/calls/" + call.id() + "/handoff/detect").status()).isEqualTo(200);
        Reply complete = post("/calls/" + call.id() + "/handoff/complete");
        assertThat(complete.status()).as("%s", complete.body()).isEqualTo(200);
        assertThat(complete.body().path("state").asText()).isEqualTo("ACTIVE");
        assertThat(complete.body().path("serving").path("gateway").asText()).isEqualTo("G2");
        assertThat(complete.body().path("history").findValuesAsText("event"))
            .containsExactly("create", "required", "detect", "complete");

        // The new path: G1 keeps the far leg and the link K, the old radio leg is gone; G2 holds radio leg and link.
        Await.until("old radio leg retired in G1", Duration.ofSeconds(5),
            () -> terminationIds(0).size() == 2 && !terminationIds(0).contains(call.radioTerm()));
        assertThat(gateways.get(1).plane().contexts()).hasSize(1);
        assertThat(gateways.get(1).plane().terminations()).hasSize(2);
        assertMedia(call.far(), call.farTo(), bss2, bss2To);
        assertThat(stored().get(call.id()).state()).isEqualTo(CallState.ACTIVE);
    }

    @Test
    void shouldRollBackAHandoffAfterTheRestart() throws Exception {
        startGateways();
        startCallServer(redis.uri(), 60_000);
        CallUnderTest call = createCall();
        RtpEndpoint bss2 = endpoint("bss2", 2);
        required(call, "G2", bss2);
        assertThat(post("/calls/" + call.id() + "/handoff/detect").status()).isEqualTo(200);
        assertThat(gateways.get(1).plane().contexts()).hasSize(1);

        restartCallServer(60_000);
        assertThat(get("/calls/" + call.id()).body().path("state").asText()).isEqualTo("DETECTED");
        Reply failure = post("/calls/" + call.id() + "/handoff/failure");
        assertThat(failure.status()).as("%s", failure.body()).isEqualTo(200);
        assertThat(failure.body().path("state").asText()).isEqualTo("ACTIVE");
        assertThat(failure.body().path("serving").path("gateway").asText()).isEqualTo("G1");
        assertThat(failure.body().path("handoff").isMissingNode()).isTrue();

        // The original path: G1 holds the far leg and the original radio leg only, G2 nothing.
        Await.until("new path released", Duration.ofSeconds(5),
            () -> gateways.get(1).plane().contexts().isEmpty() && terminationIds(0).size() == 2);
        assertThat(terminationIds(0)).containsExactlyInAnyOrder(call.farTerm(), call.radioTerm());
        assertMedia(call.far(), call.farTo(), call.radio(), call.radioTo());
        assertThat(stored().get(call.id()).handoff()).isNull();
    }

    @Test
    void shouldRetireTheOldPathThatTheStoppedCallServerHadPutOff() throws Exception {
        startGateways();
        startCallServer(redis.uri(), 60_000);
        CallUnderTest call = createCall();
        RtpEndpoint bss2 = endpoint("bss2", 2);
        InetSocketAddress bss2To = required(call, "G2", bss2);
        assertThat(post("/calls/" + call.id() + "/handoff/detect").status()).isEqualTo(200);
        // complete right after detect: the old path stays heard UPLINK_OVERLAP_MS (docs/architecture.md 2.8)
        assertThat(post("/calls/" + call.id() + "/handoff/complete").status()).isEqualTo(200);
        server.calls().close(); // the call server dies: what it put off never runs there
        assertThat(stored().get(call.id()).deferred()).extracting(CallRecord.DeferredRecord::kind)
            .contains(Call.Deferred.Kind.RETIRE_OLD_PATH);
        assertThat(terminationIds(0)).contains(call.radioTerm());

        restartCallServer(60_000);
        Await.until("old radio leg retired by the new call server", Duration.ofSeconds(5),
            () -> terminationIds(0).size() == 2 && !terminationIds(0).contains(call.radioTerm()));
        assertMedia(call.far(), call.farTo(), bss2, bss2To);
        assertThat(awaitStored(call.id(), r -> r.deferred().isEmpty()).state()).isEqualTo(CallState.ACTIVE);
    }

    @Test
    void shouldRollBackAHandoffWhoseTimerRanOutAcrossTheRestart() throws Exception {
        startGateways();
        startCallServer(redis.uri(), 3_000);
        CallUnderTest call = createCall();
        required(call, null, endpoint("bss1b", 2)); // a bicast in G1
        assertThat(terminationIds(0)).hasSize(3);
        long deadline = stored().get(call.id()).handoff().deadlineMs();

        restartCallServer(3_000);
        Await.until("restored handoff timed out", Duration.ofSeconds(10),
            () -> "ACTIVE".equals(get("/calls/" + call.id()).body().path("state").asText()));
        assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(deadline);
        assertThat(get("/calls/" + call.id()).body().path("history").findValuesAsText("event")).endsWith("timeout");
        assertThat(terminationIds(0)).containsExactlyInAnyOrder(call.farTerm(), call.radioTerm());
        assertMedia(call.far(), call.farTo(), call.radio(), call.radioTo());
    }

    @Test
    void shouldStartEmptyAndSayWhyWhenRedisIsDownThenCatchUpWhenItIsBack() throws Exception {
        startGateways();
        ListAppender<ILoggingEvent> log = logs.capture(CallServerService.class);
        redis.stop();
        try {
            long t0 = System.nanoTime();
            startCallServer(redis.uri(), 60_000);
            long startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(startMs).as("start-up with Redis down").isLessThan(5_000);
            assertThat(log.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.startsWith("call server state not restored: starting with no calls"));
            assertThat(get("/calls").body().size()).isZero();
            // calls keep working, and nobody waits on Redis while it is behind
            long c0 = System.nanoTime();
            CallUnderTest call = createCall();
            assertThat(post("/calls/" + call.id() + "/handoff/required", "{\"radio\":\""
                + hostPort(endpoint("bss1b", 2).address()) + "\"}").status()).isEqualTo(200);
            assertThat(post("/calls/" + call.id() + "/handoff/failure").status()).isEqualTo(200);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0)).isLessThan(5_000);
            assertMedia(call.far(), call.farTo(), call.radio(), call.radioTo());
        } finally {
            redis.start();
        }
        // Redis back (empty): the call server writes what it missed
        CallRecord caughtUp = awaitStored("c1", r -> r.history().size() == 3);
        assertThat(caughtUp.state()).isEqualTo(CallState.ACTIVE);
        assertThat(caughtUp.history()).extracting(CallRecord.HistoryRecord::event)
            .containsExactly(Event.CREATE, Event.REQUIRED, Event.FAILURE);
    }

    // ---------------------------------------------------------------- set-up

    private void startGateways() {
        for (int i = 0; i < 2; i++) {
            int min = PORTS.getAndAdd(50);
            GatewayService g = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0",
                "admin.listen=", "media.port-min=" + min, "media.port-max=" + (min + 49))));
            g.start();
            gateways.add(g);
        }
    }

    private void startCallServer(String redisUri, long handoffTimeoutMs) {
        String gws = "G1=127.0.0.1:" + gateways.get(0).controlAddress().getPort() + ",G2=127.0.0.1:"
            + gateways.get(1).controlAddress().getPort();
        server = new CallServerService(Config.load(null, List.of("callserver.h248.listen=127.0.0.1:0",
            "callserver.api.listen=127.0.0.1:0", "callserver.sip.listen=", "callserver.gateways=" + gws,
            "callserver.handoff-timeout-ms=" + handoffTimeoutMs, "callserver.name=" + name,
            "state.redis=" + redisUri)));
        server.start();
    }

    /** Closes the call server (the gateways keep running) and starts a new one on the same Redis and name. */
    private void restartCallServer(long handoffTimeoutMs) {
        server.close();
        server = null;
        startCallServer(redis.uri(), handoffTimeoutMs);
    }

    private Map<String, CallRecord> stored() {
        try (RedisRecordStore<CallRecord> store = RedisRecordStore.create(redis.uri(), "hopgate:cs:" + name + ":",
            "calls", "call", CallRecord.class, CallRecord.sample(), Duration.ofSeconds(2))) {
            return store.loadAll();
        }
    }

    /** Polls Redis (every 20 ms, at most 5 s) until it holds call {@code id} and {@code done} holds for it. */
    private CallRecord awaitStored(String id, java.util.function.Predicate<CallRecord> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try (RedisRecordStore<CallRecord> store = RedisRecordStore.create(redis.uri(), "hopgate:cs:" + name + ":",
            "calls", "call", CallRecord.class, CallRecord.sample(), Duration.ofSeconds(2))) {
            while (true) {
                CallRecord r = store.loadAll().get(id);
                if (r != null && done.test(r)) {
                    return r;
                }
                assertThat(System.nanoTime()).as("call %s in Redis within 5 s", id).isLessThan(deadline);
                Thread.sleep(20); // polling another process's state; the deadline bounds it
            }
        }
    }

    /** A call's parties and where the gateways expect their media. */
    private record CallUnderTest(String id, RtpEndpoint far, InetSocketAddress farTo, RtpEndpoint radio,
                        InetSocketAddress radioTo, String farTerm, String radioTerm) {
    }

    private CallUnderTest createCall() throws IOException {
        RtpEndpoint far = endpoint("far", 0);
        RtpEndpoint radio = endpoint("bss1", 1);
        Reply r = post("/calls", "{\"gateway\":\"G1\",\"far\":\"" + hostPort(far.address()) + "\",\"radio\":\""
            + hostPort(radio.address()) + "\"}");
        assertThat(r.status()).as("%s", r.body()).isEqualTo(201);
        JsonNode b = r.body();
        CallUnderTest call = new CallUnderTest(b.path("id").asText(), far, address(b.at("/anchor/farLocal")), radio,
            address(b.at("/serving/radioLocal")), b.at("/anchor/far").asText(), b.at("/serving/radio").asText());
        assertMedia(call.far(), call.farTo(), call.radio(), call.radioTo());
        return call;
    }

    /** Handoff required toward {@code gateway} (null: bicast in the serving one); the new radio leg's address. */
    private InetSocketAddress required(CallUnderTest call, String gateway, RtpEndpoint radio) {
        String body = "{\"radio\":\"" + hostPort(radio.address()) + "\""
            + (gateway == null ? "" : ",\"gateway\":\"" + gateway + "\"") + "}";
        Reply r = post("/calls/" + call.id() + "/handoff/required", body);
        assertThat(r.status()).as("%s", r.body()).isEqualTo(200);
        assertThat(r.body().path("state").asText()).isEqualTo("PREPARED");
        return address(r.body().at("/handoff/target/radioLocal"));
    }

    private RtpEndpoint endpoint(String label, int leg) throws IOException {
        RtpEndpoint e = new RtpEndpoint(label, leg, 0x0C000000 + leg);
        endpoints.add(e);
        return e;
    }

    private Set<String> terminationIds(int gateway) {
        return gateways.get(gateway).plane().terminations().stream().map(Termination::id).collect(Collectors.toSet());
    }

    // ---------------------------------------------------------------- media

    /** Media flows both ways between the far party and {@code radio} on the path the gateways hold now. */
    private static void assertMedia(RtpEndpoint far, InetSocketAddress farTo, RtpEndpoint radio,
                                    InetSocketAddress radioTo) {
        assertThat(arrives(far, farTo, radio)).as("downlink far -> %s", radio.name()).isTrue();
        assertThat(arrives(radio, radioTo, far)).as("uplink %s -> far", radio.name()).isTrue();
    }

    private static final AtomicInteger TAGS = new AtomicInteger(1);

    /** Sends packets from {@code from} to {@code to} until {@code at} gets one of them, for at most 5 s. */
    private static boolean arrives(RtpEndpoint from, InetSocketAddress to, RtpEndpoint at) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int first = TAGS.get();
        while (System.nanoTime() < deadline) {
            int tag = TAGS.getAndIncrement();
            from.send(to, tag);
            long waitUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            while (System.nanoTime() < waitUntil) {
                if (at.received().stream().anyMatch(rx -> rx.leg() == from.leg() && rx.tag() >= first)) {
                    return true;
                }
                Thread.onSpinWait();
                Thread.yield();
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- HTTP

    private Reply get(String path) {
        return send("GET", path, null);
    }

    private Reply post(String path) {
        return send("POST", path, null);
    }

    private Reply post(String path, String json) {
        return send("POST", path, json);
    }

    private Reply send(String method, String path, String json) {
        URI uri = URI.create("http://127.0.0.1:" + server.apiAddress().getPort() + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", e);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static InetSocketAddress address(JsonNode text) {
        String s = text.asText();
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }
}
