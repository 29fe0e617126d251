package io.hopgate.control.callserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * The call server's HTTP JSON API (Reactor Netty, one event-loop thread of its own):
 * <pre>
 * POST /calls                          {"id"?, "gateway":"G1", "far":"ip:port", "radio":"ip:port"}  -> 201 call
 * GET  /calls, GET /calls/{id}
 * POST /calls/{id}/handoff/required    {"radio":"ip:port", "gateway"?:"G2"} (no gateway = bicast in the serving one)
 * POST /calls/{id}/handoff/detect      (alias: execute)
 * POST /calls/{id}/handoff/complete
 * POST /calls/{id}/handoff/failure     (alias: cancel)
 * POST /calls/{id}/release, DELETE /calls/{id}
 * </pre>
 * A bad request is 400 with {"error"}; an unknown call 404; an event that does not fit the call's state 409 with
 * {"error","state"}; a gateway failure 502. A duplicate event answers 200 with {"duplicate":true}.
 */
public final class CallServerApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CallServerApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DisposableServer server;
    private final LoopResources loops;

    private CallServerApi(DisposableServer server, LoopResources loops) {
        this.server = server;
        this.loops = loops;
    }

    public static CallServerApi start(InetSocketAddress listen, CallServer calls) {
        LoopResources loops = LoopResources.create("hopgate-api", 1, 1, true);
        try {
            DisposableServer server = HttpServer.create()
                .runOn(loops)
                .bindAddress(() -> listen)
                .route(routes -> routes
                    .post("/calls", (req, res) -> body(req, res, json -> calls.create(text(json, "id", false),
                        text(json, "gateway", true), address(json, "far", true), address(json, "radio", true)), 201))
                    .get("/calls", (req, res) -> reply(res, calls.views(), 200))
                    .get("/calls/{id}", (req, res) -> reply(res, calls.view(req.param("id")), 200))
                    .delete("/calls/{id}", (req, res) -> reply(res, calls.release(req.param("id")), 200))
                    .post("/calls/{id}/release", (req, res) -> reply(res, calls.release(req.param("id")), 200))
                    .post("/calls/{id}/handoff/{event}", (req, res) -> onHandoff(calls, req, res)))
                .bindNow(Duration.ofSeconds(10));
            LOG.info("call server api listening address={}", server.address());
            return new CallServerApi(server, loops);
        } catch (RuntimeException e) {
            loops.disposeLater().block(Duration.ofSeconds(5));
            throw new IllegalStateException("cannot bind callserver.api.listen " + CallServer.format(listen) + ": "
                + e.getMessage(), e);
        }
    }

    private static Publisher<Void> onHandoff(CallServer calls, HttpServerRequest req, HttpServerResponse res) {
        String id = req.param("id");
        String event = req.param("event");
        return switch (event) {
            case "required" -> body(req, res, json -> calls.required(id, text(json, "gateway", false),
                address(json, "radio", true)), 200);
            case "detect", "execute" -> reply(res, calls.detect(id), 200);
            case "complete" -> reply(res, calls.complete(id), 200);
            case "failure", "cancel" -> reply(res, calls.failure(id), 200);
            default -> error(res, 404, "unknown handoff event '" + event
                + "'; one of required, detect, execute, complete, failure, cancel", null);
        };
    }

    private static Publisher<Void> body(HttpServerRequest req, HttpServerResponse res,
                                        Function<JsonNode, CompletableFuture<?>> handler, int status) {
        return req.receive().aggregate().asString().defaultIfEmpty("").flatMap(text -> {
            CompletableFuture<?> result;
            try {
                JsonNode json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
                if (!json.isObject()) {
                    throw new ApiException(400, "body must be a JSON object, got: " + text, null);
                }
                result = handler.apply(json);
            } catch (ApiException e) {
                return Mono.from(error(res, e.status(), e.getMessage(), e.state()));
            } catch (Exception e) {
                return Mono.from(error(res, 400, "bad request: " + e.getMessage(), null));
            }
            return Mono.from(reply(res, result, status));
        });
    }

    private static Publisher<Void> reply(HttpServerResponse res, CompletableFuture<?> result, int status) {
        return onLoop(res, result)
            .flatMap(value -> send(res, status, value))
            .onErrorResume(e -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof ApiException api) {
                    return Mono.from(error(res, api.status(), api.getMessage(), api.state()));
                }
                LOG.warn("api request failed uri={} cause={}", res.path(), cause.toString());
                return Mono.from(error(res, 500, cause.toString(), null));
            });
    }

    /**
     * The event's result, delivered on the connection's own event loop: the result completes on the call server's
     * event thread, and writing the response from there raced with the loop (a keep-alive connection lost a reply).
     */
    private static <T> Mono<T> onLoop(HttpServerResponse res, CompletableFuture<T> result) {
        return Mono.create(sink -> res.withConnection(connection -> {
            EventLoop loop = connection.channel().eventLoop();
            result.whenComplete((value, error) -> loop.execute(() -> {
                if (error != null) {
                    sink.error(error);
                } else {
                    sink.success(value);
                }
            }));
        }));
    }

    private static Publisher<Void> error(HttpServerResponse res, int status, String message, String state) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (state != null) {
            body.put("state", state);
        }
        return send(res, status, body);
    }

    private static Mono<Void> send(HttpServerResponse res, int status, Object value) {
        String text;
        try {
            text = JSON.writeValueAsString(value);
        } catch (Exception e) {
            text = "{\"error\":\"cannot encode reply\"}";
            status = 500;
        }
        return res.status(HttpResponseStatus.valueOf(status))
            .header(HttpHeaderNames.CONTENT_TYPE, "application/json")
            .sendString(Mono.just(text + "\n")).then();
    }

    private static String text(JsonNode json, String field, boolean required) {
        JsonNode v = json.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new ApiException(400, "missing field '" + field + "'", null);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new ApiException(400, "field '" + field + "' must be a string, got " + v, null);
        }
        return v.asText();
    }

    /** An "ip:port" (or "[v6]:port") field. */
    private static InetSocketAddress address(JsonNode json, String field, boolean required) {
        String s = text(json, field, required);
        if (s == null) {
            return null;
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new ApiException(400, "field '" + field + "' must be ip:port, got '" + s + "'", null);
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ApiException(400, "field '" + field + "' has a bad port in '" + s + "'", null);
        }
        if (port < 1 || port > 65535) {
            throw new ApiException(400, "field '" + field + "' port " + port + " out of range 1..65535", null);
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new ApiException(400, "field '" + field + "' host '" + host + "' does not resolve", null);
        }
        return a;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater().block(Duration.ofSeconds(5));
    }
}
