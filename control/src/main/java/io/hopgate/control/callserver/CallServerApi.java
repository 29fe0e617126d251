package io.hopgate.control.callserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hopgate.control.channel.Locator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.Supplier;
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
 * GET  /parties/{aor}/channel          -> 200 {"aor","host","port"}: where the party's data channel listens
 * </pre>
 * A bad request is 400 with {"error"}; an unknown call 404; an event that does not fit the call's state 409 with
 * {"error","state"}; a gateway failure 502. A duplicate event answers 200 with {"duplicate":true}.
 * A party without a data channel (not registered, or no {@code hopgate-channel} in its contact) is 404, and with SIP
 * off (no registrar, so no channel is known) the lookup is 409 (docs/architecture.md section 3.9).
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
        return start(listen, calls, () -> null);
    }

    /**
     * As {@link #start(InetSocketAddress, CallServer)}, answering channel lookups from {@code channels}: the SIP
     * registrar's locator, or null while SIP is off (asked on every request: SIP starts after the API).
     */
    public static CallServerApi start(InetSocketAddress listen, CallServer calls, Supplier<Locator> channels) {
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
                    .post("/calls/{id}/handoff/{event}", (req, res) -> onHandoff(calls, req, res))
                    .get("/parties/{aor}/channel", (req, res) -> onChannel(channels.get(), req.param("aor"), res)))
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
            case "detect", "execute" -> reply(res, calls.event(id, Event.DETECT), 200);
            case "complete" -> reply(res, calls.event(id, Event.COMPLETE), 200);
            case "failure", "cancel" -> reply(res, calls.event(id, Event.FAILURE), 200);
            default -> error(res, 404, "unknown handoff event '" + event
                + "'; one of required, detect, execute, complete, failure, cancel", null);
        };
    }

    /** The locator is thread-safe and answers at once, so this runs on the connection's loop. */
    private static Publisher<Void> onChannel(Locator channels, String rawAor, HttpServerResponse res) {
        if (channels == null) {
            return error(res, 409, "SIP is off on this call server (callserver.sip.listen is empty): no registrar "
                + "knows where a party's channel is", null);
        }
        String aor = URLDecoder.decode(rawAor.replace("+", "%2B"), StandardCharsets.UTF_8);
        Optional<InetSocketAddress> at = channels.lookup(aor);
        if (at.isEmpty()) {
            return error(res, 404, "no data channel for " + aor + ": not registered, or its contact has no "
                + "hopgate-channel parameter", null);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aor", aor);
        body.put("host", at.get().getAddress().getHostAddress());
        body.put("port", at.get().getPort());
        return send(res, 200, body);
    }

    private static Publisher<Void> body(HttpServerRequest req, HttpServerResponse res,
                                        Function<JsonNode, CompletableFuture<?>> handler, int status) {
        return req.receive().aggregate().asString().defaultIfEmpty("").flatMap(text -> {
            CompletableFuture<?> result;
            try {
                JsonNode json = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
                if (!json.isObject()) {
                    throw new BadRequest("body must be a JSON object, got: " + text);
                }
                result = handler.apply(json);
            } catch (BadRequest e) {
                return Mono.from(error(res, 400, e.getMessage(), null));
            } catch (Exception e) {
                return Mono.from(error(res, 400, "bad request: " + e.getMessage(), null));
            }
            return Mono.from(reply(res, result, status));
        });
    }

    private static Publisher<Void> reply(HttpServerResponse res, CompletableFuture<?> result, int status) {
        return onLoop(res, result)
            .flatMap(value -> value instanceof Result r ? answer(res, r, status) : send(res, status, value))
            .onErrorResume(e -> {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
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

    /** The one place that turns what the call server made of an event into an HTTP status. */
    private static Mono<Void> answer(HttpServerResponse res, Result result, int appliedStatus) {
        if (result instanceof Result.Applied a) {
            return send(res, appliedStatus, a.view());
        } else if (result instanceof Result.Duplicate d) {
            return send(res, appliedStatus, d.view());
        } else if (result instanceof Result.NoSuchCall n) {
            return error(res, 404, "no call " + n.id(), null);
        } else if (result instanceof Result.Invalid i) {
            return error(res, 400, i.message(), null);
        } else if (result instanceof Result.Refused r) {
            return error(res, 409, r.message(), r.state());
        } else if (result instanceof Result.GatewayFailed g) {
            return error(res, 502, g.message(), g.state());
        }
        throw new IllegalStateException("unmapped result " + result);
    }

    private static Mono<Void> error(HttpServerResponse res, int status, String message, CallState state) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (state != null) {
            body.put("state", state.name());
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
                throw new BadRequest("missing field '" + field + "'");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new BadRequest("field '" + field + "' must be a string, got " + v);
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
            throw new BadRequest("field '" + field + "' must be ip:port, got '" + s + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new BadRequest("field '" + field + "' has a bad port in '" + s + "'");
        }
        if (port < 1 || port > 65535) {
            throw new BadRequest("field '" + field + "' port " + port + " out of range 1..65535");
        }
        InetSocketAddress a = new InetSocketAddress(host, port);
        if (a.isUnresolved()) {
            throw new BadRequest("field '" + field + "' host '" + host + "' does not resolve");
        }
        return a;
    }

    /** A request the API cannot read (bad JSON, a missing or malformed field): 400 with the message. */
    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
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
