package io.hopgate.control.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hopgate.control.config.ValueType;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The admin HTTP server: {@code GET /metrics} (Prometheus text 0.0.4 from the registry given),
 * {@code GET /contexts} (the supplier's value as JSON), {@code GET /health} ({@code ok}); anything
 * else is 404. It runs on its own single event-loop thread so it shares nothing with the call
 * server's HTTP API or the media plane.
 */
public final class AdminServer implements AutoCloseable {
    /** The Prometheus text exposition format, version 0.0.4. */
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String JSON_CONTENT_TYPE = "application/json";
    static final String TEXT_CONTENT_TYPE = "text/plain; charset=utf-8";

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final DisposableServer server;
    private final LoopResources loops;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AdminServer(DisposableServer server, LoopResources loops) {
        this.server = server;
        this.loops = loops;
    }

    /**
     * Binds and serves; call from {@code main} or a service's {@code start()}.
     *
     * @param listen where to listen; port 0 picks a free port, see {@link #address()}
     * @throws IllegalStateException naming {@code admin.listen} and the address when it cannot bind
     */
    public static AdminServer start(InetSocketAddress listen, PrometheusMeterRegistry registry, Supplier<?> contexts) {
        LoopResources loops = LoopResources.create("hopgate-admin", 1, 1, true);
        try {
            AdminServer admin = bind(listen, registry, contexts, loops).block(BIND_TIMEOUT);
            LOG.info("admin listening address={}", Objects.requireNonNull(admin, "bind returned nothing").address());
            return admin;
        } catch (RuntimeException e) {
            loops.disposeLater().block(CLOSE_TIMEOUT);
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot bind admin.listen " + ValueType.format(listen) + ": "
                + cause.getMessage(), cause);
        }
    }

    /**
     * The reactive form of {@link #start}: binds when subscribed, on the loop resources given. The
     * server owns {@code loops} from then on and disposes them in {@link #close()}.
     */
    public static Mono<AdminServer> bind(InetSocketAddress listen, PrometheusMeterRegistry registry,
                                         Supplier<?> contexts, LoopResources loops) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(contexts, "contexts");
        return HttpServer.create()
            .runOn(loops)
            .bindAddress(() -> listen)
            .route(routes -> routes
                .get("/metrics", (request, response) -> send(response, PROMETHEUS_CONTENT_TYPE,
                    () -> registry.scrape(PROMETHEUS_CONTENT_TYPE)))
                .get("/contexts", (request, response) -> send(response, JSON_CONTENT_TYPE,
                    () -> JSON.writeValueAsString(contexts.get())))
                .get("/health", (request, response) -> send(response, TEXT_CONTENT_TYPE, () -> "ok\n")))
            .bind()
            .map(server -> new AdminServer(server, loops));
    }

    /** Produces the body off the event loop; a failure becomes a 500 whose body names the cause. */
    private static Publisher<Void> send(HttpServerResponse response, String contentType, Callable<String> body) {
        return Mono.fromCallable(body)
            .subscribeOn(Schedulers.boundedElastic())
            .flatMap(text -> response.header(HttpHeaderNames.CONTENT_TYPE, contentType).sendString(Mono.just(text))
                .then())
            .onErrorResume(e -> {
                LOG.warn("admin request failed uri={} cause={}", response.path(), e.toString());
                return response.status(HttpResponseStatus.INTERNAL_SERVER_ERROR)
                    .header(HttpHeaderNames.CONTENT_TYPE, TEXT_CONTENT_TYPE)
                    .sendString(Mono.just("error: " + e + "\n"))
                    .then();
            });
    }

    /** The bound address, with the real port when started on port 0. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    /**
     * Stops accepting, closes connections and releases the event-loop thread; waits at most a few
     * seconds. Idempotent, so a service's close path and a shutdown hook may both call it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            server.disposeNow(CLOSE_TIMEOUT);
        } catch (IllegalStateException timeout) {
            LOG.warn("admin server did not stop within {} ms", CLOSE_TIMEOUT.toMillis());
        } finally {
            loops.disposeLater().block(CLOSE_TIMEOUT);
        }
    }
}
