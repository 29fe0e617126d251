package io.hopgate.control.ng;

import io.hopgate.control.ng.Bencode.BencodeException;
import io.hopgate.control.ng.Bencode.Bytes;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.ng.Bencode.Value;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The ng endpoint on UDP: {@code COOKIE SP bencoded-dictionary} in, {@code COOKIE SP bencoded-dictionary} out
 * (rtpengine's docs/ng_control_protocol.md). The reply to each (peer, cookie) is cached for {@code replyCacheMs}
 * (at most {@link #MAX_CACHED_REPLIES} replies, oldest dropped first), so a retransmitted command gets the same
 * reply and is executed once. A datagram without a cookie cannot be answered and is counted and dropped; every
 * other bad datagram gets {@code result: error} with an {@code error-reason}.
 *
 * <p>Threads: one receiver thread reads datagrams and hands them to the one command thread, which executes,
 * caches, replies and runs delayed deletes.
 */
public final class NgEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NgEndpoint.class);
    public static final int MAX_DATAGRAM_BYTES = 65_507;
    public static final int MAX_COOKIE_BYTES = 128;
    public static final int MAX_CACHED_REPLIES = 10_000;
    private static final Set<String> COMMANDS = Set.of("ping", "offer", "answer", "delete", "query", "list",
        "statistics", "move");
    /** The commands whose replies outlive a restart (with state.redis): those that change a call. */
    private static final Set<String> KEPT_REPLIES = Set.of("offer", "answer", "delete", "move");

    private record Cached(byte[] reply, long atNanos) {
    }

    private final DatagramSocket socket;
    private final ScheduledExecutorService commandThread;
    private final Thread receiver;
    private final NgCommands commands;
    private final Predicate<InetSocketAddress> allowedPeer;
    private final long replyCacheNanos;
    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>();
    private volatile boolean closed;
    private long lastDropLogNanos;
    /** With state.redis: where replies of commands that change calls are kept across a restart; command thread. */
    private NgReplyStore replyStore;

    private NgEndpoint(DatagramSocket socket, MediaPlane plane, Predicate<InetSocketAddress> allowedPeer,
                       long replyCacheMs, long deleteDelayMs, MeterRegistry registry) {
        this.socket = socket;
        this.allowedPeer = allowedPeer;
        this.replyCacheNanos = TimeUnit.MILLISECONDS.toNanos(replyCacheMs);
        this.registry = registry;
        this.commandThread = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hopgate-ng"));
        this.commands = new NgCommands(plane, commandThread, deleteDelayMs);
        this.receiver = daemon(this::receive, "hopgate-ng-rx");
    }

    /**
     * Binds {@code listen} and starts serving.
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static NgEndpoint bind(InetSocketAddress listen, MediaPlane plane, Predicate<InetSocketAddress> allowedPeer,
                                  long replyCacheMs, long deleteDelayMs, MeterRegistry registry) {
        return bind(listen, plane, allowedPeer, replyCacheMs, deleteDelayMs, registry, null);
    }

    /**
     * Binds {@code listen}, applies {@code replication} (call state: the ng calls a restart restored, and where to
     * record changes) on the command thread, then starts serving.
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public static NgEndpoint bind(InetSocketAddress listen, MediaPlane plane, Predicate<InetSocketAddress> allowedPeer,
                                  long replyCacheMs, long deleteDelayMs, MeterRegistry registry,
                                  Replication replication) {
        DatagramSocket socket;
        try {
            socket = new DatagramSocket(listen);
            socket.setReceiveBufferSize(1 << 20);
        } catch (SocketException e) {
            throw new IllegalStateException("cannot bind ng.listen=" + listen.getAddress().getHostAddress() + ":"
                + listen.getPort() + ": " + e.getMessage(), e);
        }
        NgEndpoint endpoint = new NgEndpoint(socket, plane, allowedPeer, replyCacheMs, deleteDelayMs, registry);
        if (replication != null) {
            try {
                int calls = endpoint.onCommandThread(() -> {
                    endpoint.commands.replicate(replication.attributes(), replication.onChange());
                    endpoint.restoreReplies(replication.replies());
                    return endpoint.commands.restore(replication.restored());
                });
                if (!replication.restored().isEmpty()) {
                    LOG.info("ng calls restored calls={} terminations={}", calls, replication.restored().size());
                }
            } catch (Exception e) {
                endpoint.close();
                throw new IllegalStateException("ng call state could not be set up: " + e, e);
            }
        }
        endpoint.receiver.start();
        return endpoint;
    }

    /**
     * The ng front end's part of the call state (docs/ha.md, "ng calls").
     *
     * @param attributes each ng termination's call-state attributes by termination id, kept current by the ng
     *                   command thread and read by the recorder (a concurrent map)
     * @param onChange   records a context after an ng command changed it; returns null, or the reason to answer
     *                   {@code result: error} with (the state was not written and {@code state.on-failure=refuse})
     * @param restored   the terminations a restart restored with ng attributes
     * @param replies    where replies are kept across a restart, or null
     */
    public record Replication(Map<String, Map<String, String>> attributes, Function<MediaContext, String> onChange,
                              List<NgLeg> restored, NgReplyStore replies) {
    }

    /**
     * On the command thread before serving: takes the replies a previous run kept and were sent less than
     * {@code control.reply-cache-ms} ago into the reply cache (oldest first, at most {@link #MAX_CACHED_REPLIES}).
     */
    private void restoreReplies(NgReplyStore store) {
        replyStore = store;
        if (store == null) {
            return;
        }
        long nowMs = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        long ttlMs = TimeUnit.NANOSECONDS.toMillis(replyCacheNanos);
        List<Map.Entry<String, NgReplyStore.Stored>> kept = new java.util.ArrayList<>();
        for (Map.Entry<String, NgReplyStore.Stored> e : store.load().entrySet()) {
            long age = nowMs - e.getValue().atMs();
            if (age >= 0 && age < ttlMs) {
                kept.add(e);
            }
        }
        kept.sort(java.util.Comparator.comparingLong(e -> e.getValue().atMs()));
        for (Map.Entry<String, NgReplyStore.Stored> e : kept.subList(Math.max(0, kept.size() - MAX_CACHED_REPLIES),
            kept.size())) {
            long age = nowMs - e.getValue().atMs();
            cache.put(e.getKey(), new Cached(e.getValue().datagram(), nowNanos - TimeUnit.MILLISECONDS.toNanos(age)));
        }
        if (!kept.isEmpty()) {
            LOG.info("ng replies restored replies={}", Math.min(kept.size(), MAX_CACHED_REPLIES));
        }
    }

    /** True when call-state attributes were written by the ng front end. */
    public static boolean ownsAttributes(Map<String, String> attributes) {
        return NgCallState.owns(attributes);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The commands, for tests that look at call state. Only touch them on {@link #onCommandThread}. */
    NgCommands commands() {
        return commands;
    }

    /** Runs {@code task} on the command thread and waits for it (tests). */
    <T> T onCommandThread(java.util.concurrent.Callable<T> task) throws Exception {
        return commandThread.submit(task).get(5, TimeUnit.SECONDS);
    }

    private void receive() {
        byte[] buffer = new byte[MAX_DATAGRAM_BYTES + 1];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("ng receive failed cause={}", e.toString());
                }
                continue;
            }
            byte[] data = Arrays.copyOf(packet.getData(), packet.getLength());
            InetSocketAddress peer = (InetSocketAddress) packet.getSocketAddress();
            try {
                commandThread.execute(() -> {
                    try {
                        onDatagram(peer, data);
                    } catch (RuntimeException e) {
                        LOG.error("ng datagram not handled peer={} bytes={}", format(peer), data.length, e);
                    }
                });
            } catch (RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    private void onDatagram(InetSocketAddress peer, byte[] data) {
        int space = indexOf(data, (byte) ' ');
        if (space <= 0 || space > MAX_COOKIE_BYTES) {
            count("none", "no-cookie");
            if (System.nanoTime() - lastDropLogNanos > TimeUnit.SECONDS.toNanos(1)) {
                lastDropLogNanos = System.nanoTime();
                LOG.warn("ng datagram dropped peer={} bytes={} cause=no cookie of 1..{} bytes before a space",
                    format(peer), data.length, MAX_COOKIE_BYTES);
            }
            return;
        }
        byte[] cookie = Arrays.copyOf(data, space);
        String key = format(peer) + " " + new String(cookie, StandardCharsets.ISO_8859_1);
        long now = System.nanoTime();
        expire(now);
        Cached cached = cache.get(key);
        if (cached != null) {
            count("retransmission", "cached");
            send(peer, cached.reply());
            return;
        }
        String command = "none";
        Dict reply;
        if (data.length > MAX_DATAGRAM_BYTES) {
            reply = NgCommands.error("message larger than " + MAX_DATAGRAM_BYTES + " bytes");
        } else if (!allowedPeer.test(peer)) {
            reply = NgCommands.error("peer " + peer.getAddress().getHostAddress()
                + " is not allowed (ng.allowed-peers, or control.allowed-peers when that is empty)");
            command = "refused";
        } else {
            Value value;
            try {
                value = Bencode.decode(data, space + 1, data.length - space - 1);
            } catch (BencodeException e) {
                value = Bytes.of(e.getMessage());
                command = "malformed";
            }
            if (command.equals("malformed")) {
                reply = NgCommands.error(((Bytes) value).text());
            } else if (!(value instanceof Dict dict)) {
                reply = NgCommands.error("the message must be a bencode dictionary, got "
                    + (value instanceof Bytes ? "a string" : value instanceof Bencode.Int ? "an integer" : "a list"));
                command = "malformed";
            } else {
                Value c = dict.get("command");
                command = c instanceof Bytes b && COMMANDS.contains(b.text()) ? b.text() : "other";
                reply = commands.execute(dict);
            }
        }
        byte[] bytes = frame(cookie, reply);
        if (bytes.length > MAX_DATAGRAM_BYTES) {
            bytes = frame(cookie, NgCommands.error("reply of " + bytes.length + " bytes exceeds one UDP datagram ("
                + MAX_DATAGRAM_BYTES + "); ask for less, e.g. a smaller list limit"));
        }
        Value result = ((Dict) reply).get("result");
        count(command, result instanceof Bytes r ? r.text() : "?");
        cache.put(key, new Cached(bytes, now));
        while (cache.size() > MAX_CACHED_REPLIES) {
            cache.remove(cache.keySet().iterator().next());
        }
        if (replyStore != null && KEPT_REPLIES.contains(command)) {
            // After the call's state was written (before the reply), so a kept reply never names a lost change.
            replyStore.save(key, bytes, System.currentTimeMillis(), TimeUnit.NANOSECONDS.toMillis(replyCacheNanos));
        }
        send(peer, bytes);
    }

    /** The reply datagram: the request's cookie, a space, the bencoded dictionary. */
    private static byte[] frame(byte[] cookie, Dict reply) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(cookie);
        out.write(' ');
        Bencode.encode(reply, out);
        return out.toByteArray();
    }

    private void expire(long now) {
        var it = cache.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().atNanos() > replyCacheNanos) {
                it.remove();
            } else {
                break; // insertion order: the rest are younger
            }
        }
    }

    private void send(InetSocketAddress peer, byte[] bytes) {
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, peer));
        } catch (IOException e) {
            LOG.warn("ng reply not sent peer={} bytes={} cause={}", format(peer), bytes.length, e.toString());
        }
    }

    private void count(String command, String result) {
        if (registry == null) {
            return;
        }
        counters.computeIfAbsent(command + "/" + result, k -> Counter.builder("hopgate.ng.commands")
            .description("ng commands by command and result (ok, error, pong, cached, no-cookie)")
            .tag("command", command).tag("result", result).register(registry)).increment();
    }

    private static int indexOf(byte[] data, byte b) {
        for (int i = 0; i < data.length && i <= MAX_COOKIE_BYTES; i++) {
            if (data[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Stops serving; the calls' contexts stay with the media plane, which the daemon closes. */
    @Override
    public void close() {
        closed = true;
        socket.close();
        commandThread.shutdownNow();
        try {
            receiver.join(2000);
            commandThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
