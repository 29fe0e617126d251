package io.hopgate.control.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A {@link Locator} for a process other than the call server's: it asks the call server's HTTP API where a party's
 * data channel listens ({@code GET /parties/{aor}/channel}, docs/architecture.md sections 3.5 and 3.9), which is
 * what the party's last REGISTER said.
 *
 * <p>{@link #lookup} is called by {@link MobileChannel} on its event loop, which must not wait for HTTP: only the
 * first lookup of a name waits for the answer (from the caller of {@code MobileChannel.open}); later ones answer
 * from the last known address and ask again in the background, so a reconnect loop that retries with backoff sees
 * the new address within a retry or two. {@link #watch} asks every poll interval and reports a change. A call server
 * that cannot be reached leaves the last known address in place; a 404 or 409 forgets it.
 */
public final class HttpLocator implements Locator, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpLocator.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration pollInterval;
    private final Duration timeout;
    private final HttpClient http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hopgate-locator");
        t.setDaemon(true);
        return t;
    });
    private final ConcurrentHashMap<String, Optional<InetSocketAddress>> known = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<?>> refreshing = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, List<Consumer<InetSocketAddress>>> watchers = new ConcurrentHashMap<>();

    /**
     * @param callServer   the API's base URL, e.g. {@code http://127.0.0.1:8080}
     * @param pollInterval how often a watched name is asked for
     * @param timeout      one HTTP request
     */
    public HttpLocator(URI callServer, Duration pollInterval, Duration timeout) {
        String text = callServer.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.pollInterval = pollInterval;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** The HTTP answer about one name: an address, none (404), or a refusal with the server's reason. */
    public record Answer(int status, Optional<InetSocketAddress> address, String error) {
    }

    /**
     * Asks the call server now and waits for the answer; also updates what {@link #lookup} returns.
     *
     * @throws IOException when the call server cannot be reached or answers something that is not JSON
     */
    public Answer locate(String name) throws IOException {
        try {
            return request(name).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException("asking " + base + " for " + name + ": "
                + cause, cause);
        } catch (TimeoutException e) {
            throw new IOException("no answer from " + base + " within " + timeout.toMillis() * 2 + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while asking " + base, e);
        }
    }

    @Override
    public Optional<InetSocketAddress> lookup(String name) {
        Optional<InetSocketAddress> cached = known.get(name);
        if (cached != null) {
            refresh(name);
            return cached;
        }
        try {
            return locate(name).address();
        } catch (IOException e) {
            log.info("channel lookup failed name={}: {}", name, e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public Disposable watch(String name, Consumer<InetSocketAddress> onMove) {
        List<Consumer<InetSocketAddress>> list = watchers.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        list.add(onMove);
        ScheduledFuture<?> poll = timer.scheduleWithFixedDelay(() -> refresh(name), pollInterval.toMillis(),
            pollInterval.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            poll.cancel(false);
            list.remove(onMove);
        };
    }

    /** Stops polling; channels still open keep the last addresses they were told. */
    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** One request in flight per name: a lookup during a poll does not add another. */
    private void refresh(String name) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (refreshing.putIfAbsent(name, mine) != null) {
            return;
        }
        try {
            request(name).whenComplete((answer, error) -> {
                refreshing.remove(name, mine);
                if (error != null) {
                    log.debug("channel lookup failed name={}: {}", name, error.toString());
                }
            });
        } catch (RuntimeException e) {
            refreshing.remove(name, mine);
            log.debug("channel lookup failed name={}: {}", name, e.toString());
        }
    }

    private CompletableFuture<Answer> request(String name) {
        URI uri = URI.create(base + "/parties/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
            .replace("+", "%20").replace("%40", "@") + "/channel");
        HttpRequest get = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        return http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            Answer answer = parse(name, response.statusCode(), response.body());
            if (answer.status() == 200 || answer.status() == 404 || answer.status() == 409) {
                update(name, answer.address());
            }
            return answer;
        });
    }

    private static Answer parse(String name, int status, String body) {
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            return new Answer(status, Optional.empty(), "not JSON from the call server (HTTP " + status + ")");
        }
        if (status != 200) {
            JsonNode error = json.get("error");
            return new Answer(status, Optional.empty(), error == null ? "HTTP " + status : error.asText());
        }
        JsonNode host = json.get("host");
        JsonNode port = json.get("port");
        if (host == null || port == null || !port.canConvertToInt()) {
            return new Answer(502, Optional.empty(), "answer for " + name + " without host and port: " + body);
        }
        try {
            // The registrar hands out literal addresses; no name service is asked here.
            InetAddress address = InetAddress.getByName(host.asText());
            return new Answer(200, Optional.of(new InetSocketAddress(address, port.asInt())), null);
        } catch (IOException e) {
            return new Answer(502, Optional.empty(), "bad host in the answer for " + name + ": " + host);
        }
    }

    private void update(String name, Optional<InetSocketAddress> now) {
        Optional<InetSocketAddress> before = known.put(name, now);
        if (now.isPresent() && !now.equals(before)) {
            for (Consumer<InetSocketAddress> onMove : watchers.getOrDefault(name, List.of())) {
                onMove.accept(now.get());
            }
        }
    }
}
