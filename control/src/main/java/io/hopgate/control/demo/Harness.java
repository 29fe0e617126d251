package io.hopgate.control.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hopgate.control.callserver.CallServerService;
import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything of one demo run on loopback: N gateways (in-process {@link GatewayService}s, each with its own H.248
 * port and RTP port range), a call server, the far party and the mobile's radio legs, one call with paced traffic,
 * and the scripted procedures. Each procedure is a {@link Step}: the ticks sent while it ran and the events it sent
 * with their HTTP status and round-trip time; {@link #analyze} turns the recorded packets into per-step figures.
 */
public final class Harness implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One API exchange: the HTTP status, the JSON body, and the time from sending the request to the reply. */
    public record Reply(String event, int status, JsonNode body, double ms) {
    }

    /** One scripted procedure: its name, first tick, the events it sent, and the radio it moved the mobile to. */
    public static final class Step {
        public final String name;
        public final int fromTick;
        public int toTick = -1;
        public final long startNanos = System.nanoTime();
        public final List<Reply> replies = new ArrayList<>();
        /** Per event name: when it was sent (nanos), to measure when the new path first carried packets. */
        public final Map<String, Long> sentNanos = new LinkedHashMap<>();
        RtpEndpoint newRadio;
        boolean bicast;
        /**
         * Ticks [from, to) sent while the network and the mobile switched the uplink: from just before the event that
         * retires the path the mobile transmits on, to the first tick sent after the mobile moved (after the reply).
         * How many ticks that is depends on how fast the machine runs the call server and this harness.
         */
        final List<int[]> switching = new ArrayList<>();

        Step(String name, int fromTick) {
            this.name = name;
            this.fromTick = fromTick;
        }

        public Reply reply(String event) {
            for (Reply r : replies) {
                if (r.event().equals(event)) {
                    return r;
                }
            }
            return null;
        }
    }

    /**
     * Figures of one step, from the packets actually received. {@code uplinkLost} counts every uplink tick missing at
     * the far end; {@code uplinkMaxGap} is the longest run of them outside the step's uplink switching windows (a
     * tick lost while switching neither adds to nor ends a run), so a path that does not carry once switched, or
     * drops packets at any other time, still shows.
     */
    public record Result(String step, int ticks, double durationMs, Map<String, Integer> received, int downlinkLost,
                         int uplinkLost, int uplinkMaxGap, int farSsrcs, int farSeqErrors, double firstNewPathMs,
                         List<Reply> replies) {
        public boolean continuous() {
            return farSsrcs <= 1 && farSeqErrors == 0;
        }
    }

    private final List<GatewayService> gateways = new ArrayList<>();
    private final List<String> gatewayNames = new ArrayList<>();
    private final CallServerService server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final int pps;
    /** demo.leg-port-base: the far leg's port, radio leg i at + i; 0 = ephemeral. */
    private final int legPortBase;
    public final RtpEndpoint far;
    private final Map<String, RtpEndpoint> radios = new LinkedHashMap<>();
    private final List<Step> steps = new ArrayList<>();
    private Traffic traffic;
    private String callId;
    private RtpEndpoint currentRadio;
    private InetSocketAddress currentRadioTo;
    /** First tick of an uplink switch in progress (see {@link Step#switching}), or -1. */
    private int switchFrom = -1;

    private Harness(int gatewayCount, long handoffTimeoutMs, int pps, int portBase, int legPortBase)
        throws IOException {
        this.pps = pps;
        this.legPortBase = legPortBase;
        List<String> gws = new ArrayList<>();
        try {
            for (int i = 0; i < gatewayCount; i++) {
                int min = portBase + i * 100;
                GatewayService g = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0",
                    "admin.listen=", "media.port-min=" + min, "media.port-max=" + (min + 99))));
                g.start();
                gateways.add(g);
                String name = "G" + (i + 1);
                gatewayNames.add(name);
                gws.add(name + "=127.0.0.1:" + g.controlAddress().getPort());
            }
            server = new CallServerService(Config.load(null, List.of("callserver.h248.listen=127.0.0.1:0",
                "callserver.api.listen=127.0.0.1:0", "callserver.sip.listen=", "callserver.gateways="
                    + String.join(",", gws),
                "callserver.handoff-timeout-ms=" + handoffTimeoutMs)));
            server.start();
        } catch (RuntimeException e) {
            closeGateways();
            throw e;
        }
        base = URI.create("http://127.0.0.1:" + server.apiAddress().getPort());
        far = new RtpEndpoint("far", 0, 0x0FA40000, legPort(0));
    }

    /**
     * @param portBase first RTP port of G1; gateway i uses portBase + 100 i .. + 99
     */
    public static Harness start(int gatewayCount, long handoffTimeoutMs, int pps, int portBase) throws IOException {
        return new Harness(gatewayCount, handoffTimeoutMs, pps, portBase, 0);
    }

    /** As {@link #start(int, long, int, int)} with the legs on {@code legPortBase} (+ leg); 0 = ephemeral. */
    public static Harness start(int gatewayCount, long handoffTimeoutMs, int pps, int portBase, int legPortBase)
        throws IOException {
        return new Harness(gatewayCount, handoffTimeoutMs, pps, portBase, legPortBase);
    }

    private int legPort(int leg) {
        return legPortBase == 0 ? 0 : legPortBase + leg;
    }

    public CallServerService server() {
        return server;
    }

    public List<GatewayService> gateways() {
        return gateways;
    }

    public URI base() {
        return base;
    }

    public String callId() {
        return callId;
    }

    public Traffic traffic() {
        return traffic;
    }

    public List<Step> steps() {
        return steps;
    }

    /** The mobile's radio leg {@code name} (created on first use; each has its own socket and SSRC). */
    public RtpEndpoint radio(String name) throws IOException {
        RtpEndpoint r = radios.get(name);
        if (r == null) {
            int leg = radios.size() + 1;
            r = new RtpEndpoint(name, leg, 0x0B000000 + leg, legPort(leg));
            radios.put(name, r);
        }
        return r;
    }

    public Map<String, RtpEndpoint> radios() {
        return radios;
    }

    /** Sends one API request; returns status, body and round-trip time. */
    public Reply api(String event, String method, String path, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json");
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            double ms = (System.nanoTime() - t0) / 1e6;
            JsonNode body = r.body() == null || r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
            return new Reply(event, r.statusCode(), body, ms);
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " interrupted", e);
        }
    }

    /** Sends a handoff event of the current call, recorded in {@code step}. */
    public Reply event(Step step, String event, String json) {
        step.sentNanos.putIfAbsent(event, System.nanoTime());
        Reply r = api(event, "POST", "/calls/" + callId + "/handoff/" + event, json);
        step.replies.add(r);
        return r;
    }

    private static Reply ok(Reply r) {
        if (r.status() / 100 != 2) {
            throw new IllegalStateException(r.event() + " answered " + r.status() + ": " + r.body());
        }
        return r;
    }

    private static InetSocketAddress address(JsonNode text) {
        String s = text.asText();
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }

    // ---------------------------------------------------------------- the call and its procedures

    /** Creates the call in {@code gateway} with the far party and {@code radio}, and starts the traffic. */
    public Step createCall(String gateway, RtpEndpoint radio) {
        Step step = begin("call setup in " + gateway);
        String json = "{\"gateway\":\"" + gateway + "\",\"far\":\"" + hostPort(far.address()) + "\",\"radio\":\""
            + hostPort(radio.address()) + "\"}";
        Reply r = ok(api("create", "POST", "/calls", json));
        step.replies.add(r);
        callId = r.body().get("id").asText();
        InetSocketAddress farTo = address(r.body().at("/anchor/farLocal"));
        currentRadio = radio;
        currentRadioTo = address(r.body().at("/serving/radioLocal"));
        step.newRadio = radio;
        traffic = new Traffic(far, farTo, new Traffic.Uplink(radio, currentRadioTo), pps).start();
        return step;
    }

    /** Seed 001 inside the serving gateway: required (prepare), detect (execute: bicast), complete. */
    public Step bicast(String name, RtpEndpoint newRadio, long holdMs) {
        Step step = begin(name);
        step.newRadio = newRadio;
        step.bicast = true;
        InetSocketAddress to = address(ok(event(step, "required", "{\"radio\":\"" + hostPort(newRadio.address())
            + "\"}")).body().at("/handoff/target/radioLocal"));
        sleep(holdMs);
        switching();
        ok(event(step, "detect", null));
        // Told to move (execute), the mobile transmits on the new radio; B and B' are both heard until complete.
        moveUplink(newRadio, to);
        sleep(holdMs);
        ok(event(step, "complete", null));
        return step;
    }

    /** Seed 000: required toward {@code gateway} (bicast across gateways), detect (uplink moves), complete. */
    public Step handoff(String name, String gateway, RtpEndpoint newRadio, long holdMs) {
        Step step = begin(name);
        step.newRadio = newRadio;
        InetSocketAddress to = address(ok(event(step, "required", "{\"gateway\":\"" + gateway + "\",\"radio\":\""
            + hostPort(newRadio.address()) + "\"}")).body().at("/handoff/target/radioLocal"));
        sleep(holdMs);
        switching();
        ok(event(step, "detect", null));
        moveUplink(newRadio, to);
        sleep(holdMs);
        ok(event(step, "complete", null));
        return step;
    }

    /**
     * A handoff toward {@code gateway} (or a bicast when null) that fails: after detect when {@code afterDetect}
     * (the mobile has moved and comes back), else right after required. {@code event} is "failure" or "timeout"
     * (no event: the call server's handoff timer fires).
     */
    public Step failedHandoff(String name, String gateway, RtpEndpoint newRadio, boolean afterDetect, String event,
                              long holdMs, long timeoutWaitMs) {
        Step step = begin(name);
        step.newRadio = newRadio;
        step.bicast = gateway == null;
        String body = gateway == null ? "{\"radio\":\"" + hostPort(newRadio.address()) + "\"}"
            : "{\"gateway\":\"" + gateway + "\",\"radio\":\"" + hostPort(newRadio.address()) + "\"}";
        InetSocketAddress to = address(ok(event(step, "required", body)).body().at("/handoff/target/radioLocal"));
        RtpEndpoint oldRadio = currentRadio;
        InetSocketAddress oldTo = currentRadioTo;
        sleep(holdMs);
        boolean moved = false;
        if (afterDetect) {
            if (gateway != null) {
                switching();
            }
            ok(event(step, "detect", null));
            if (gateway != null) {
                moveUplink(newRadio, to);
                moved = true;
            }
            sleep(holdMs);
        }
        if (moved) {
            // The revert retires the new path; the mobile goes back once it is told (reply, or ACTIVE on a poll).
            switching();
        }
        if ("timeout".equals(event)) {
            long until = System.nanoTime() + timeoutWaitMs * 1_000_000;
            while (System.nanoTime() < until) {
                Reply r = api("poll", "GET", "/calls/" + callId, null);
                if ("ACTIVE".equals(r.body().path("state").asText())) {
                    break;
                }
                sleep(2);
            }
        } else {
            ok(event(step, "failure", null));
        }
        if (moved) {
            moveUplink(oldRadio, oldTo);
        }
        return step;
    }

    private void moveUplink(RtpEndpoint radio, InetSocketAddress to) {
        currentRadio = radio;
        currentRadioTo = to;
        traffic.uplink(new Traffic.Uplink(radio, to));
        if (switchFrom >= 0) {
            // The tick being sent now may still have read the old uplink; every later one reads the new.
            steps.get(steps.size() - 1).switching.add(new int[] {switchFrom, traffic.ticks() + 1});
            switchFrom = -1;
        }
    }

    /** Marks the start of an uplink switch: the next event retires the path the mobile transmits on. */
    private void switching() {
        switchFrom = traffic.ticks();
    }

    public Step begin(String name) {
        int tick = traffic == null ? 0 : traffic.ticks();
        if (!steps.isEmpty()) {
            steps.get(steps.size() - 1).toTick = tick;
        }
        Step step = new Step(name, tick);
        steps.add(step);
        return step;
    }

    /** Lets traffic flow for {@code ms} (so each step has a steady state after it). */
    public void hold(long ms) {
        sleep(ms);
    }

    public Reply release() {
        return api("release", "POST", "/calls/" + callId + "/release", null);
    }

    /** Stops the traffic, waits for the last packets and closes the last step. */
    public void stopTraffic() {
        traffic.close();
        int ticks = traffic.ticks();
        steps.get(steps.size() - 1).toTick = ticks;
        // Each path keeps its order, so once the last tick is out at both ends the earlier ones are too. A fixed
        // pause here counted packets still on a gateway's I/O thread (a loaded machine) as lost; the deadline only
        // bounds the wait for a last tick that really was lost.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ticks > 0 && System.nanoTime() - deadline < 0
            && !(hasTag(far, ticks - 1) && radios.values().stream().anyMatch(r -> hasTag(r, ticks - 1)))) {
            sleep(5);
        }
    }

    private static boolean hasTag(RtpEndpoint endpoint, int tag) {
        for (RtpEndpoint.Rx p : endpoint.received()) {
            if (p.tag() == tag) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- analysis

    /** Per-step figures from the packets received (call after {@link #stopTraffic}). */
    public List<Result> analyze() {
        List<RtpEndpoint.Rx> atFar = far.received();
        Set<Integer> downTags = new HashSet<>();
        Map<String, List<RtpEndpoint.Rx>> perRadio = new LinkedHashMap<>();
        for (RtpEndpoint r : radios.values()) {
            List<RtpEndpoint.Rx> rx = r.received();
            perRadio.put(r.name(), rx);
            for (RtpEndpoint.Rx p : rx) {
                downTags.add(p.tag());
            }
        }
        TreeSet<Integer> upTags = new TreeSet<>();
        for (RtpEndpoint.Rx p : atFar) {
            upTags.add(p.tag());
        }
        Set<Integer> switchingTicks = new HashSet<>();
        for (Step s : steps) {
            for (int[] w : s.switching) {
                for (int t = w[0]; t < w[1]; t++) {
                    switchingTicks.add(t);
                }
            }
        }
        List<Result> results = new ArrayList<>();
        for (Step s : steps) {
            int from = s.fromTick;
            int to = s.toTick < 0 ? traffic.ticks() : s.toTick;
            Map<String, Integer> counts = new LinkedHashMap<>();
            counts.put("far", count(atFar, from, to));
            for (Map.Entry<String, List<RtpEndpoint.Rx>> e : perRadio.entrySet()) {
                counts.put(e.getKey(), count(e.getValue(), from, to));
            }
            int downLost = 0;
            int upLost = 0;
            int gap = 0;
            int run = 0;
            for (int t = from; t < to; t++) {
                if (!downTags.contains(t)) {
                    downLost++;
                }
                if (!upTags.contains(t)) {
                    upLost++;
                    if (!switchingTicks.contains(t)) {
                        run++;
                        gap = Math.max(gap, run);
                    }
                } else {
                    run = 0;
                }
            }
            Set<Integer> ssrcs = new HashSet<>();
            int seqErrors = 0;
            RtpEndpoint.Rx prev = null;
            for (RtpEndpoint.Rx p : atFar) {
                if (p.tag() >= from && p.tag() < to) {
                    ssrcs.add(p.ssrc());
                    if (prev != null && p.seq() != ((prev.seq() + 1) & 0xFFFF)) {
                        seqErrors++;
                    }
                }
                prev = p;
            }
            results.add(new Result(s.name, to - from, (nanosOfTick(to) - nanosOfTick(from)) / 1e6, counts, downLost,
                upLost, gap, ssrcs.size(), seqErrors, firstNewPathMs(s, atFar, perRadio), List.copyOf(s.replies)));
        }
        return results;
    }

    /**
     * Where the downlink ticks of {@code step} that no radio received were sent, relative to the step's events (ms
     * after each event was sent; negative = before), and which radios got the ticks just before and after: what a
     * failing handoff test prints to tell a real gap from a measurement one.
     */
    public String downlinkLossReport(Step step) {
        Set<Integer> got = new HashSet<>();
        Map<Integer, List<String>> by = new java.util.HashMap<>();
        for (RtpEndpoint r : radios.values()) {
            for (RtpEndpoint.Rx p : r.received()) {
                got.add(p.tag());
                by.computeIfAbsent(p.tag(), k -> new ArrayList<>()).add(r.name());
            }
        }
        int to = step.toTick < 0 ? traffic.ticks() : step.toTick;
        StringBuilder out = new StringBuilder();
        for (int t = step.fromTick; t < to; t++) {
            if (got.contains(t)) {
                continue;
            }
            out.append(String.format(java.util.Locale.ROOT, "tick %d (before: %s, after: %s)", t, by.get(t - 1),
                by.get(t + 1)));
            for (Map.Entry<String, Long> e : step.sentNanos.entrySet()) {
                out.append(String.format(java.util.Locale.ROOT, " %s%+.1fms", e.getKey(),
                    (nanosOfTick(t) - e.getValue()) / 1e6));
            }
            out.append("; ");
        }
        return out.toString();
    }

    /** Far end's stream over the whole run: SSRCs seen and sequence numbers that were not the previous + 1. */
    public int[] farContinuity() {
        Set<Integer> ssrcs = new HashSet<>();
        int errors = 0;
        RtpEndpoint.Rx prev = null;
        for (RtpEndpoint.Rx p : far.received()) {
            ssrcs.add(p.ssrc());
            if (prev != null && p.seq() != ((prev.seq() + 1) & 0xFFFF)) {
                errors++;
            }
            prev = p;
        }
        return new int[] {ssrcs.size(), errors};
    }

    /**
     * From the first event of the step to the first packet that used the new path: downlink at the new radio after
     * required, or uplink from the new radio at the far end after detect; NaN when the step has none.
     */
    private double firstNewPathMs(Step s, List<RtpEndpoint.Rx> atFar, Map<String, List<RtpEndpoint.Rx>> perRadio) {
        // The bicast of seed 001 reaches B' at execute (detect); across gateways it starts at required.
        Long sent = s.bicast ? s.sentNanos.get("detect") : s.sentNanos.get("required");
        if (sent == null || s.newRadio == null) {
            return Double.NaN;
        }
        for (RtpEndpoint.Rx p : perRadio.get(s.newRadio.name())) {
            if (p.nanos() >= sent) {
                return (p.nanos() - sent) / 1e6;
            }
        }
        return Double.NaN;
    }

    private long nanosOfTick(int tick) {
        return traffic.startNanos() + tick * traffic.periodNanos();
    }

    private static int count(List<RtpEndpoint.Rx> rx, int from, int to) {
        int n = 0;
        for (RtpEndpoint.Rx p : rx) {
            if (p.tag() >= from && p.tag() < to) {
                n++;
            }
        }
        return n;
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeGateways() {
        for (GatewayService g : gateways) {
            g.close();
        }
    }

    @Override
    public void close() {
        if (traffic != null) {
            traffic.close();
        }
        far.close();
        for (RtpEndpoint r : radios.values()) {
            r.close();
        }
        if (server != null) {
            server.close();
        }
        closeGateways();
    }
}
