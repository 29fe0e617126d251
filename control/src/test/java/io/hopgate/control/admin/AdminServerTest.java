package io.hopgate.control.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class AdminServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    record ContextView(long id, List<String> terminations) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicReference<Supplier<Object>> contexts =
        new AtomicReference<>(() -> List.of(new ContextView(1, List.of("rtp/1", "rtp/2"))));
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private AdminServer admin;

    @BeforeEach
    void start() {
        admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), registry, () -> contexts.get().get());
    }

    @AfterEach
    void stop() {
        admin.close();
        registry.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + admin.address().getPort() + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(TIMEOUT.toSeconds(),
            java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void shouldReportTheBoundEphemeralPort() {
        assertThat(admin.address().getPort()).isPositive();
        assertThat(admin.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
    }

    @Test
    void shouldServePrometheusTextOnMetrics() throws Exception {
        Counter.builder("hopgate.packets.dropped").tag("reason", "source").register(registry).increment(3);

        HttpResponse<String> response = send("GET", "/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("# TYPE hopgate_packets_dropped_total counter")
            .contains("hopgate_packets_dropped_total{reason=\"source\"} 3.0");
    }

    @Test
    void shouldServeContextsAsJson() throws Exception {
        HttpResponse<String> response = send("GET", "/contexts");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode json = new ObjectMapper().readTree(response.body());
        assertThat(json.get(0).get("id").asLong()).isEqualTo(1);
        assertThat(json.get(0).get("terminations").get(1).asText()).isEqualTo("rtp/2");
    }

    @Test
    void shouldCallTheSupplierOnEveryRequest() throws Exception {
        contexts.set(() -> Map.of("count", 0));
        assertThat(send("GET", "/contexts").body()).isEqualTo("{\"count\":0}");

        contexts.set(() -> Map.of("count", 2));
        assertThat(send("GET", "/contexts").body()).isEqualTo("{\"count\":2}");
    }

    @Test
    void shouldAnswer500NamingTheCauseWhenTheSupplierFails() throws Exception {
        contexts.set(() -> {
            throw new IllegalStateException("media plane did not answer within 1000 ms");
        });

        HttpResponse<String> response = send("GET", "/contexts");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).contains("media plane did not answer within 1000 ms");
    }

    @Test
    void shouldAnswerOkOnHealth() throws Exception {
        HttpResponse<String> response = send("GET", "/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok\n");
    }

    @Test
    void shouldAnswer404ForOtherPathsAndMethods() throws Exception {
        assertThat(send("GET", "/").statusCode()).isEqualTo(404);
        assertThat(send("GET", "/metricsx").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/metrics").statusCode()).isEqualTo(404);
    }

    @Test
    void shouldNameTheAddressWhenThePortIsInUse() {
        InetSocketAddress taken = admin.address();

        assertThatThrownBy(() -> AdminServer.start(taken, registry, Map::of))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("cannot bind admin.listen 127.0.0.1:" + taken.getPort() + ": ");
    }

    @Test
    void shouldReleaseThePortOnCloseAndTolerateASecondClose() {
        InetSocketAddress address = admin.address();
        admin.close();
        admin.close();

        admin = AdminServer.start(address, registry, Map::of);

        assertThat(admin.address()).isEqualTo(address);
    }
}
