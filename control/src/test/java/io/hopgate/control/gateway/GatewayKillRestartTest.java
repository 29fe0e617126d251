package io.hopgate.control.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.state.RedisServer;
import io.hopgate.media.RtpPeer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.context;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.localPort;
import static io.hopgate.control.gateway.H248TestClient.terminations;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of a real gateway process carrying live RTP calls, then a restart on the same addresses (issue 11): with
 * Redis up every call's media is back within 1 s of the restarted daemon's ready line, the far end sees the same SSRC
 * and the sequence numbers continue; with Redis down the restart is a clear cold start (901) that answers at once.
 * Both check that ids are unique across restarts (a stale pre-crash command cannot hit a new call).
 */
@DisabledOnOs(OS.WINDOWS)
class GatewayKillRestartTest {
    private static final String MID = "killtest";
    private static final int PORT_MIN = 22000;
    private static final int PORT_MAX = 22599;
    /** Per call, one packet every this many ns (10 packets/s per call: 1000 packets/s for 100 calls). */
    private static final long SEND_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What a failed wait reports: the far end's counts and the daemon's log. */
    private static final ThreadLocal<java.util.function.Supplier<String>> DEBUG = new ThreadLocal<>();

    private RedisServer redis;
    private Daemon daemon;
    private Media media;
    private DatagramSocket mgcSink;

    @AfterEach
    void tearDown() throws Exception {
        if (media != null) {
            media.close();
        }
        if (daemon != null) {
            daemon.kill();
        }
        if (mgcSink != null) {
            mgcSink.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void shouldResumeEveryCallsMediaWithinOneSecondOfTheRestartWithTheSameSsrcAndContinuingSequence()
        throws Exception {
        redis = RedisServer.startOrSkip();
        int calls = 100;
        int control = freePort();
        mgcSink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        daemon = Daemon.start(control, redis.uri(), mgcSink.getLocalPort());
        media = new Media(calls);
        DEBUG.set(() -> "received=" + media.received + " phases=" + java.util.Arrays.toString(media.phaseSeen)
            + "\n" + daemon.output());
        List<Call> before = setUp(control, calls);

        // Phase 1: each call's source sends with one SSRC; phase 2: a new SSRC and a sequence jump, so the egress
        // rewriter switches source and the far end's stream (first SSRC, continuing numbers) depends on its offsets.
        media.start(before);
        await("every call carries RTP", 20_000, () -> media.allReceivedPhase(1));
        media.switchSources();
        await("every call carries the second source", 20_000, () -> media.allReceivedPhase(2));
        for (int i = 0; i < calls; i++) {
            assertThat(media.lastSsrc[i]).as("call %d keeps its first SSRC through the switch", i)
                .isEqualTo(Media.ssrc(i, 1));
        }
        // Egress continuity is in Redis: the switch to the second source (with its offsets) for every call.
        try (RedisClient client = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> c = client.connect()) {
            await("egress continuity of every call in Redis", 20_000, () -> storedSecondSource(c, before));
        }

        daemon.kill();
        long killed = System.nanoTime();
        int[] lastSeq = media.lastSequences();
        int[] offset = media.offsets();
        media.markRestart(killed);

        daemon = Daemon.start(control, redis.uri(), mgcSink.getLocalPort());
        long ready = daemon.readyNanos;
        await("every call's media after the restart", 10_000, media::allResumed);
        long worstMs = 0;
        for (int i = 0; i < calls; i++) {
            long ms = TimeUnit.NANOSECONDS.toMillis(media.resumedAt[i] - ready);
            worstMs = Math.max(worstMs, ms);
            assertThat(media.resumedSsrc[i]).as("call %d: same SSRC at the far end", i).isEqualTo(Media.ssrc(i, 1));
            assertThat(media.resumedOffset[i]).as("call %d: same sequence offset", i).isEqualTo(offset[i]);
            int step = (short) (media.resumedSeq[i] - lastSeq[i]);
            assertThat(step).as("call %d: sequence continues (gap = packets sent while down)", i)
                .isBetween(1, 1000);
        }
        System.out.printf("kill-restart: %d calls, media back at most %d ms after the ready line%n", calls, worstMs);
        assertThat(worstMs).as("every call's media back within 1 s of the restart").isLessThanOrEqualTo(1000);
        assertThat(daemon.output()).contains("call state restored").contains("contexts=" + calls)
            .contains("terminations=" + 2 * calls).contains("failed=0");
        assertThat(serviceChanges()).anyMatch(s -> hasReason(s, 902)).noneMatch(s -> hasReason(s, 904));

        // Ids across the restart: a new call and a retransmitted pre-crash Add never reuse a pre-crash id.
        Set<Long> oldContexts = new HashSet<>();
        Set<String> oldTerms = new HashSet<>();
        before.forEach(c -> {
            oldContexts.add(c.context);
            oldTerms.add(c.t1);
            oldTerms.add(c.t2);
        });
        try (H248TestClient mgc = new H248TestClient(new InetSocketAddress("127.0.0.1", control))) {
            TransactionReply fresh = mgc.transaction("Context = $ { " + add("SendReceive", 9) + " }");
            assertThat(errorCode(fresh)).as(mgc.lastRaw).isZero();
            assertThat(oldContexts).doesNotContain(context(fresh));
            assertThat(oldTerms).doesNotContainAnyElementsOf(terminations(fresh));
        }
        TransactionReply again = before.get(0).client.transaction(before.get(0).transactionId,
            "Context = $ {\n" + add("SendReceive", media.aPort()) + ",\n" + add("SendReceive", media.bPort()) + " }");
        assertThat(errorCode(again)).isZero();
        assertThat(oldContexts).doesNotContain(context(again));
        assertThat(oldTerms).doesNotContainAnyElementsOf(terminations(again));
        before.get(0).client.close();
    }

    @Test
    void shouldStartColdAndAnswerAtOnceWhenRedisIsDownDuringTheKill() throws Exception {
        redis = RedisServer.startOrSkip();
        int calls = 10;
        int control = freePort();
        mgcSink = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        daemon = Daemon.start(control, redis.uri(), mgcSink.getLocalPort());
        media = new Media(calls);
        List<Call> before = setUp(control, calls);
        media.start(before);
        await("every call carries RTP", 20_000, () -> media.allReceivedPhase(1));

        redis.stop();
        daemon.kill();
        serviceChanges(); // drop the first run's announcement
        long restarting = System.nanoTime();
        daemon = Daemon.start(control, redis.uri(), mgcSink.getLocalPort());
        long startMs = TimeUnit.NANOSECONDS.toMillis(daemon.readyNanos - restarting);
        System.out.printf("kill-restart with redis down: ready after %d ms%n", startMs);
        assertThat(daemon.output()).contains("call state not restored");
        assertThat(serviceChanges()).as("a cold start is announced").anyMatch(s -> hasReason(s, 901));

        // It answers, and a stale command for a pre-crash context or termination finds nothing.
        try (H248TestClient mgc = new H248TestClient(new InetSocketAddress("127.0.0.1", control))) {
            TransactionReply fresh = mgc.transaction("Context = $ { " + add("SendReceive", 9) + " }");
            assertThat(errorCode(fresh)).as(mgc.lastRaw).isZero();
            for (Call c : before) {
                assertThat(context(fresh)).isNotEqualTo(c.context);
                assertThat(terminations(fresh)).doesNotContain(c.t1, c.t2);
            }
            TransactionReply stale = mgc.transaction("Context = " + before.get(0).context + " { Subtract = "
                + before.get(0).t1 + " }");
            assertThat(errorCode(stale)).as("stale Subtract of a pre-crash context: %s", mgc.lastRaw).isNotZero();
            TransactionReply audit = mgc.transaction("Context = " + context(fresh) + " { AuditValue = "
                + terminations(fresh).get(0) + " { Audit { } } }");
            assertThat(errorCode(audit)).as("the new call is untouched: %s", mgc.lastRaw).isZero();
        }
        before.forEach(c -> c.client.close());
        // Redis back (empty): the gateway catches up with what it has now, the new call.
        redis.start();
        try (RedisClient client = RedisClient.create(redis.uri());
             StatefulRedisConnection<String, String> c = client.connect()) {
            await("catch-up writes the live context", 20_000,
                () -> c.sync().smembers("hopgate:mg:" + MID + ":contexts").size() == 1);
        }
    }

    private record Call(H248TestClient client, long transactionId, long context, String t1, String t2, int gw1,
                        int gw2) {
    }

    /** Each call: context $ with two Adds, leg 1's remote the source socket, leg 2's the far end socket. */
    private List<Call> setUp(int control, int calls) throws Exception {
        List<Call> out = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            H248TestClient mgc = new H248TestClient(new InetSocketAddress("127.0.0.1", control));
            long id = mgc.nextId();
            TransactionReply r = mgc.transaction(id, "Context = $ {\n" + add("SendReceive", media.aPort()) + ",\n"
                + add("SendReceive", media.bPort()) + " }");
            assertThat(errorCode(r)).as(mgc.lastRaw).isZero();
            List<String> t = terminations(r);
            out.add(new Call(mgc, id, context(r), t.get(0), t.get(1), localPort(r, 0), localPort(r, 1)));
        }
        return out;
    }

    private boolean storedSecondSource(StatefulRedisConnection<String, String> c, List<Call> calls) {
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < calls.size(); i++) {
            String text = c.sync().get("hopgate:mg:" + MID + ":ctx:" + calls.get(i).context);
            if (text == null) {
                return false;
            }
            try {
                boolean found = false;
                for (JsonNode t : json.readTree(text).get("terminations")) {
                    JsonNode e = t.get("egress");
                    if (t.get("id").asText().equals(calls.get(i).t2) && e != null && !e.isNull()
                        && e.get("sourceSsrc").asInt() == Media.ssrc(i, 2)) {
                        found = true;
                    }
                }
                if (!found) {
                    return false;
                }
            } catch (IOException e) {
                throw new AssertionError("unreadable context in Redis: " + text, e);
            }
        }
        return true;
    }

    /** ServiceChange requests the gateway sent to the MGC address since the last call. */
    private List<String> serviceChanges() throws IOException {
        List<String> out = new ArrayList<>();
        mgcSink.setSoTimeout(200);
        byte[] buf = new byte[8192];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                mgcSink.receive(p);
            } catch (SocketTimeoutException e) {
                return out;
            }
            String text = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
            if (text.contains("ServiceChange") || text.contains("SC=")) {
                out.add(text);
            }
        }
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " within " + timeoutMs + " ms" + (DEBUG.get() == null ? ""
                    : ": " + DEBUG.get().get()));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    static int freePort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             ServerSocket t = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The gateway as a child JVM: Main with the test's classpath, as systemd would run it. */
    static final class Daemon {
        private final Process process;
        private final StringBuilder output = new StringBuilder();
        private long readyNanos;

        private Daemon(Process process) {
            this.process = process;
        }

        static Daemon start(int control, String redisUri, int mgcPort) throws Exception {
            return start(List.of("gateway.mid=" + MID, "control.listen=127.0.0.1:" + control,
                "control.mgc=127.0.0.1:" + mgcPort, "admin.listen=", "media.port-min=" + PORT_MIN,
                "media.port-max=" + PORT_MAX, "media.continuity=rewrite", "state.redis=" + redisUri,
                "state.timeout-ms=500"), 0);
        }

        /** Main gateway with these overrides; with {@code fdLimit > 0} under {@code ulimit -n fdLimit}. */
        static Daemon start(List<String> sets, int fdLimit) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            // The same module flags as the packaged launcher (pom.xml hopgate.jvm.opens): Agrona needs them.
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m",
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
                    "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.hopgate.control.Main", "gateway"));
            cmd.add("--set");
            cmd.add("log.level=INFO");
            for (String set : sets) {
                cmd.add("--set");
                cmd.add(set);
            }
            if (fdLimit > 0) {
                // exec keeps the JVM the shell's process, so a kill reaches it; "$@" passes the command unchanged.
                List<String> limited = new ArrayList<>(List.of("/bin/sh", "-c",
                    "ulimit -n " + fdLimit + " && exec \"$@\"", "sh"));
                limited.addAll(cmd);
                cmd = limited;
            }
            Daemon d = new Daemon(new ProcessBuilder(cmd).redirectErrorStream(true).start());
            CompletableFuture<Long> ready = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(d.process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        synchronized (d.output) {
                            d.output.append(line).append('\n');
                        }
                        if (line.contains("gateway listening")) {
                            ready.complete(System.nanoTime());
                        }
                    }
                } catch (IOException ignored) {
                    // the stream closes with the process
                }
                ready.completeExceptionally(new AssertionError("gateway exited before ready:\n" + d.output()));
            }, "gateway-output");
            reader.setDaemon(true);
            reader.start();
            d.readyNanos = ready.get(60, TimeUnit.SECONDS);
            return d;
        }

        String output() {
            synchronized (output) {
                return output.toString();
            }
        }

        /** SIGKILL: no shutdown hook, no goodbye to Redis or the MGC. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("gateway gone after SIGKILL").isTrue();
        }
    }

    /**
     * The calls' RTP: one source socket sends every call's packets to its leg 1, one far-end socket receives every
     * call's leg 2. The payload tag carries the call's number and the source sequence number, so the far end can
     * tell the gateway's offset.
     */
    private static final class Media implements AutoCloseable {
        final int calls;
        final DatagramChannel a;
        final DatagramChannel b;
        final int[] lastSeq;
        final int[] lastSsrc;
        final int[] lastOffset;
        final int[] phaseSeen;
        final long[] resumedAt;
        final int[] resumedSsrc;
        final int[] resumedSeq;
        final int[] resumedOffset;
        final int[] sentSeq;
        final int[] seqAtKill;
        private volatile long restartMark;
        volatile long received;
        private volatile int phase = 1;
        private volatile boolean running = true;
        private final List<Thread> threads = new ArrayList<>();

        Media(int calls) throws IOException {
            this.calls = calls;
            a = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            b = DatagramChannel.open();
            b.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            b.bind(new InetSocketAddress("127.0.0.1", 0));
            lastSeq = new int[calls];
            lastSsrc = new int[calls];
            lastOffset = new int[calls];
            phaseSeen = new int[calls];
            resumedAt = new long[calls];
            resumedSsrc = new int[calls];
            resumedSeq = new int[calls];
            resumedOffset = new int[calls];
            sentSeq = new int[calls];
            seqAtKill = new int[calls];
        }

        static int ssrc(int call, int phase) {
            return phase * 0x10000 + call;
        }

        int aPort() throws IOException {
            return ((InetSocketAddress) a.getLocalAddress()).getPort();
        }

        int bPort() throws IOException {
            return ((InetSocketAddress) b.getLocalAddress()).getPort();
        }

        void start(List<Call> list) {
            Thread sender = new Thread(() -> send(list), "rtp-source");
            Thread receiver = new Thread(this::receive, "rtp-far-end");
            threads.add(sender);
            threads.add(receiver);
            sender.setDaemon(true);
            receiver.setDaemon(true);
            receiver.start();
            sender.start();
        }

        private void send(List<Call> list) {
            int[] seq = new int[calls];
            int[] ts = new int[calls];
            int sentPhase = 1;
            for (int i = 0; i < calls; i++) {
                seq[i] = 100 * i;
                ts[i] = 8000 * i;
            }
            long next = System.nanoTime();
            while (running) {
                if (phase != sentPhase) {
                    sentPhase = phase;
                    for (int i = 0; i < calls; i++) {
                        seq[i] = (seq[i] + 5000) & 0xFFFF;
                        ts[i] += 1_000_000;
                    }
                }
                for (int i = 0; i < calls && running; i++) {
                    ByteBuffer p = RtpPeer.packet(ssrc(i, sentPhase), seq[i], ts[i],
                        (i << 20) | (sentPhase << 16) | seq[i]);
                    try {
                        a.send(p, new InetSocketAddress("127.0.0.1", list.get(i).gw1));
                    } catch (IOException e) {
                        return;
                    }
                    synchronized (this) {
                        seq[i] = (seq[i] + 1) & 0xFFFF;
                        sentSeq[i] = seq[i];
                    }
                    ts[i] += 160;
                }
                next += SEND_EVERY_NANOS;
                LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
            }
        }

        private void receive() {
            ByteBuffer buf = ByteBuffer.allocate(2048);
            while (running) {
                buf.clear();
                try {
                    b.receive(buf);
                } catch (IOException e) {
                    return;
                }
                long now = System.nanoTime();
                received++;
                if (buf.position() < 16) {
                    continue;
                }
                int seq = buf.getShort(2) & 0xFFFF;
                int ssrc = buf.getInt(8);
                int tag = buf.getInt(12);
                int call = tag >>> 20;
                int tagPhase = (tag >>> 16) & 0xF;
                int inSeq = tag & 0xFFFF;
                if (call >= calls) {
                    continue;
                }
                synchronized (this) {
                    lastSeq[call] = seq;
                    lastSsrc[call] = ssrc;
                    lastOffset[call] = (seq - inSeq) & 0xFFFF;
                    phaseSeen[call] = Math.max(phaseSeen[call], tagPhase);
                    // Only a packet the source sent after the kill shows the restarted gateway (not one queued).
                    if (restartMark != 0 && resumedAt[call] == 0 && (short) (inSeq - seqAtKill[call]) >= 0) {
                        resumedAt[call] = now;
                        resumedSsrc[call] = ssrc;
                        resumedSeq[call] = seq;
                        resumedOffset[call] = (seq - inSeq) & 0xFFFF;
                    }
                }
            }
        }

        void switchSources() {
            phase = 2;
        }

        synchronized boolean allReceivedPhase(int p) {
            for (int i = 0; i < calls; i++) {
                if (phaseSeen[i] < p) {
                    return false;
                }
            }
            return true;
        }

        synchronized int[] offsets() {
            return lastOffset.clone();
        }

        synchronized int[] lastSequences() {
            return lastSeq.clone();
        }

        synchronized void markRestart(long nanos) {
            System.arraycopy(sentSeq, 0, seqAtKill, 0, calls);
            restartMark = nanos;
        }

        synchronized boolean allResumed() {
            for (int i = 0; i < calls; i++) {
                if (resumedAt[i] == 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws Exception {
            running = false;
            a.close();
            b.close();
            for (Thread t : threads) {
                t.join(2000);
            }
        }
    }

    /**
     * Whether a ServiceChange message carries {@code code} as its reason: by the Reason token, not a bare substring,
     * which a transaction id such as 690473001 (ids start from the wall-clock second) would also match.
     */
    private static boolean hasReason(String message, int code) {
        return java.util.regex.Pattern.compile("\\b(Reason|RE)\\s*=\\s*\"?" + code + "\\b").matcher(message).find();
    }
}
