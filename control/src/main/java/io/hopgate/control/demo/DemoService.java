package io.hopgate.control.demo;

import io.hopgate.control.callserver.Step;
import io.hopgate.control.service.Service;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigKey;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hopgate demo}: one call on loopback through every procedure (bicast handoff in G1, handoff to G2, a failed
 * handoff to G3 that reverts, handoff to G3, handback to G1), then a timeline on stdout and an SVG chart; finishes
 * with 0 when every step lost nothing in either direction (dl-lost 0, ul-lost 0: the uplink switch is lossless,
 * docs/architecture.md section 2.8) and the far end's stream stayed continuous.
 */
public final class DemoService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(DemoService.class);
    private static final long HOLD_MS = 300;

    private final Path svg;
    private final int portBase;
    private final int legPortBase;
    private final PrintStream out;
    private final CompletableFuture<Integer> finished = new CompletableFuture<>();
    private volatile Harness harness;
    private Thread runner;

    public DemoService(Config config) {
        this(config, System.out);
    }

    public DemoService(Config config, PrintStream out) {
        this.svg = Path.of(config.string(ConfigKey.DEMO_SVG));
        this.portBase = config.integer(ConfigKey.DEMO_PORT_BASE);
        this.legPortBase = config.integer(ConfigKey.DEMO_LEG_PORT_BASE);
        this.out = out;
    }

    @Override
    public void start() throws Exception {
        harness = Harness.start(3, 5000, 50, portBase, legPortBase);
        out.printf("hopgate demo: call server api=http://%s, gateways G1..G3 %s%n",
            Harness.hostPort(harness.server().apiAddress()), harness.gateways().stream()
                .map(g -> Harness.hostPort(g.controlAddress())).toList());
        runner = new Thread(this::run, "demo");
        runner.start();
    }

    private void run() {
        try {
            finished.complete(play(harness));
        } catch (Throwable e) {
            LOG.error("demo failed", e);
            out.println("demo failed: " + e);
            finished.complete(1);
        }
    }

    private int play(Harness h) throws Exception {
        h.createCall("G1", h.radio("bss1"));
        h.hold(HOLD_MS);
        h.bicast("1 bicast handoff in G1 (001)", h.radio("bss1b"), HOLD_MS);
        h.hold(HOLD_MS);
        h.handoff("2 handoff G1 -> G2 (000)", "G2", h.radio("bss2"), HOLD_MS);
        h.hold(HOLD_MS);
        h.failedHandoff("3 handoff G2 -> G3 fails, reverts", "G3", h.radio("bss3x"), true, "failure", HOLD_MS, 0);
        h.hold(HOLD_MS);
        h.handoff("4 handoff G2 -> G3", "G3", h.radio("bss3"), HOLD_MS);
        h.hold(HOLD_MS);
        h.handoff("5 handback G3 -> G1", "G1", h.radio("bss1c"), HOLD_MS);
        h.hold(HOLD_MS);
        h.stopTraffic();
        Harness.Reply released = h.release();
        List<Harness.Result> results = h.analyze();
        boolean ok = printTimeline(results) && released.status() == 200;
        printHistory(h);
        Files.writeString(svg, Svg.chart(h, results));
        out.println("chart written to " + svg.toAbsolutePath());
        out.println(ok ? "demo passed" : "demo FAILED: see the table above");
        return ok ? 0 : 1;
    }

    private boolean printTimeline(List<Harness.Result> results) {
        boolean ok = true;
        List<String> legs = new ArrayList<>(results.get(0).received().keySet());
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-36s %8s %8s", "step", "took ms",
            "events"));
        for (String leg : legs) {
            header.append(String.format(Locale.ROOT, " %6s", leg));
        }
        header.append("  dl-lost ul-lost  far-stream    new-path-ms");
        out.println(header);
        List<Double> eventMs = new ArrayList<>();
        List<Double> newPathMs = new ArrayList<>();
        for (Harness.Result r : results) {
            double took = 0;
            StringBuilder events = new StringBuilder();
            for (Harness.Reply reply : r.replies()) {
                took += reply.ms();
                if (!reply.event().equals("create")) {
                    eventMs.add(reply.ms());
                }
                events.append(events.length() == 0 ? "" : ",").append(reply.event()).append(':')
                    .append(reply.status());
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-36s %8.2f %8d", r.step(), took,
                r.replies().size()));
            for (String leg : legs) {
                row.append(String.format(Locale.ROOT, " %6d", r.received().get(leg)));
            }
            boolean stepOk = r.downlinkLost() == 0 && r.uplinkLost() == 0 && r.continuous();
            ok &= stepOk;
            row.append(String.format(Locale.ROOT, "  %7d %7d  %-11s %8s", r.downlinkLost(), r.uplinkLost(),
                r.continuous() ? "continuous" : "BROKEN", Double.isNaN(r.firstNewPathMs()) ? "-"
                    : String.format(Locale.ROOT, "%.1f", r.firstNewPathMs())));
            out.println(row + (stepOk ? "" : "  <-- FAIL"));
            out.println("    events: " + events);
            if (!Double.isNaN(r.firstNewPathMs())) {
                newPathMs.add(r.firstNewPathMs());
            }
        }
        int[] far = harness.farContinuity();
        out.printf(Locale.ROOT, "far end over the whole call: %d SSRC, %d sequence errors, %d packets%n", far[0],
            far[1], harness.far.received().size());
        out.printf(Locale.ROOT,
            "handoff event -> path set in the gateways (API round trip incl. H.248): median %.2f ms,"
            + " max %.2f ms over %d events%n", median(eventMs), max(eventMs), eventMs.size());
        out.printf(Locale.ROOT, "handoff required -> first packet at the new radio (includes up to 20 ms of packet"
            + " cadence): median %.1f ms%n", median(newPathMs));
        return ok && far[0] == 1 && far[1] == 0;
    }

    /**
     * The call server's own record of the call (GET /calls/{id}): each event, the state it left, the step of the
     * call server's transition table it ran and that step's H.248 time; then the H.248 transactions of each step used.
     */
    private void printHistory(Harness h) {
        Harness.Reply view = h.api("get", "GET", "/calls/" + h.callId(), null);
        out.println("call " + h.callId() + " history from the call server (tookMs = the event's H.248 transactions):");
        List<Double> took = new ArrayList<>();
        Set<Step> used = new LinkedHashSet<>();
        for (com.fasterxml.jackson.databind.JsonNode e : view.body().path("history")) {
            String event = e.path("event").asText();
            Step step = Step.valueOf(e.path("step").asText());
            used.add(step);
            out.printf(Locale.ROOT, "  %6d ms  %-9s -> %-8s %7.2f ms  %-16s %s%n", e.path("atMs").asLong(), event,
                e.path("state").asText(), e.path("tookMs").asDouble(), step, e.path("detail").asText());
            if (!event.equals("create") && !event.equals("release")) {
                took.add(e.path("tookMs").asDouble());
            }
        }
        out.printf(Locale.ROOT, "call server time per handoff event (all its H.248 transactions): median %.2f ms, "
            + "max %.2f ms%n", median(took), max(took));
        out.println("steps used, from the call server's transition table (docs/architecture.md section 2):");
        for (Step step : used) {
            out.printf(Locale.ROOT, "  %-16s %s%n", step, step.h248());
        }
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    @Override
    public CompletionStage<Integer> finished() {
        return finished;
    }

    @Override
    public void close() {
        Harness h = harness;
        if (runner != null && runner.isAlive()) {
            runner.interrupt();
        }
        if (h != null) {
            h.close();
        }
    }

}
