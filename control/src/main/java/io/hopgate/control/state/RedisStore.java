package io.hopgate.control.state;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What both Redis stores ({@link RedisCallStateStore}, {@link RedisRecordStore}) are built on: one Lettuce client and
 * its one connection, used through the synchronous API so commands stay in order. Commands fail after
 * {@code timeout} and are rejected at once while the connection is down (Lettuce's REJECT_COMMANDS), so a caller
 * never waits longer than that; the connection reconnects by itself. It connects on first use. One set-up for both,
 * so that they cannot drift apart (the call server's copy had missed {@link #quietTransportChoice}).
 *
 * <p>Threads: one at a time, as the stores are called.
 */
abstract class RedisStore implements AutoCloseable {
    private final RedisClient client;
    private final RedisURI uri;
    private StatefulRedisConnection<String, String> connection;

    /** One Redis command run, or several in a MULTI. */
    interface Call {
        void run(RedisCommands<String, String> redis);
    }

    /**
     * {@code uri} (e.g. {@code redis://127.0.0.1:6379/0}) parsed.
     *
     * @throws IllegalArgumentException when {@code uri} is not a Redis URI
     */
    static RedisURI parse(String uri) {
        try {
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("state.redis=" + uri + ": not a Redis URI (redis://host:port/db): "
                + e.getMessage(), e);
        }
    }

    /**
     * With Netty's io_uring transport on the class path (the media plane's) Lettuce warns at every client that it
     * prefers epoll; it is told so once here instead, unless the user set it.
     */
    static void quietTransportChoice() {
        if (System.getProperty("io.lettuce.core.iouring") == null) {
            System.setProperty("io.lettuce.core.iouring", "false");
        }
    }

    /** A client for {@code uri} whose commands and connection attempts each give up after {@code timeout}. */
    RedisStore(RedisURI uri, Duration timeout) {
        this.uri = uri;
        uri.setTimeout(timeout);
        quietTransportChoice();
        this.client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
    }

    /** The connection's commands, connecting first when not connected (waiting at most the timeout). */
    final RedisCommands<String, String> redis() {
        if (connection == null) {
            try {
                connection = client.connect();
            } catch (RuntimeException e) {
                throw new StateStoreException("cannot connect to " + describe() + ": " + e.getMessage(), e);
            }
        }
        return connection.sync();
    }

    /**
     * Runs {@code call}; a failure is a {@link StateStoreException} that names {@code what} and the store.
     *
     * @throws StateStoreException when Redis cannot be reached, does not answer in time, or answers an error
     */
    final void run(String what, Call call) {
        RedisCommands<String, String> r = redis();
        try {
            call.run(r);
        } catch (RuntimeException e) {
            try {
                r.discard(); // leave no half-open MULTI on the connection; fails harmlessly when none is open
            } catch (RuntimeException ignored) {
                // the connection is down or no MULTI was open
            }
            throw new StateStoreException(what + " on " + describe() + " failed: " + e.getMessage(), e);
        }
    }

    /** Checks that Redis answers. */
    public final void ping() {
        run("ping", RedisCommands::ping);
    }

    /** Where Redis is, for log lines (no credentials). */
    public final String describe() {
        return "redis://" + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
    }

    /** Every key that starts with {@code keyPrefix}, by SCAN (a thousand at a time, so Redis is never held long). */
    static List<String> keysUnder(RedisCommands<String, String> redis, String keyPrefix) {
        List<String> keys = new ArrayList<>();
        ScanArgs match = ScanArgs.Builder.matches(glob(keyPrefix) + "*").limit(1000);
        KeyScanCursor<String> page = redis.scan(match);
        keys.addAll(page.getKeys());
        while (!page.isFinished()) {
            page = redis.scan(page, match);
            keys.addAll(page.getKeys());
        }
        return keys;
    }

    /** {@code text} as a Redis glob matching itself only. */
    private static String glob(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public final void close() {
        if (connection != null) {
            connection.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
