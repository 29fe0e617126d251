package io.hopgate.control.demo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The demo's chart: one lane per leg (the far end receives the uplink, the radios the downlink) with one mark per
 * packet at its arrival time, so a gap in a lane is a real gap; every lost packet is marked in red at the time it was
 * sent; step starts are numbered lines, and the step list below says each step's dl-lost and ul-lost. Everything is
 * drawn inside the canvas, whatever the number of steps.
 */
final class Svg {
    private static final int LANE = 34;
    private static final int LEFT = 110;
    private static final int RIGHT = 20;
    private static final int PLOT = 1200;
    private static final int TOP = 58;
    private static final int LINE = 15;
    private static final String UP = "#c0392b";
    private static final String DOWN = "#2e86c1";
    private static final String LOST = "#e00000";

    private Svg() {
    }

    static String chart(Harness h, List<Harness.Result> results) {
        long start = h.traffic().startNanos();
        long period = h.traffic().periodNanos();
        int ticks = h.traffic().ticks();
        List<String> names = new ArrayList<>();
        List<List<RtpEndpoint.Rx>> lanes = new ArrayList<>();
        names.add("far (up)");
        lanes.add(h.far.received());
        Set<Integer> down = new HashSet<>();
        for (Map.Entry<String, RtpEndpoint> e : h.radios().entrySet()) {
            names.add(e.getKey() + " (down)");
            List<RtpEndpoint.Rx> rx = e.getValue().received();
            lanes.add(rx);
            rx.forEach(p -> down.add(p.tag()));
        }
        Set<Integer> up = new HashSet<>();
        h.far.received().forEach(p -> up.add(p.tag()));
        long endMs = ticks * period / 1_000_000;
        for (List<RtpEndpoint.Rx> lane : lanes) {
            for (RtpEndpoint.Rx p : lane) {
                endMs = Math.max(endMs, (p.nanos() - start) / 1_000_000);
            }
        }
        double px = (double) PLOT / Math.max(1, endMs);
        int width = LEFT + PLOT + RIGHT;
        int lostRow = TOP + lanes.size() * LANE;
        int axis = lostRow + LANE;
        int listTop = axis + 30;
        int height = listTop + results.size() * LINE + 20;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\">%n", width, height, width, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"16\">hopgate demo: one call, %d packets/s each way;"
            + " one mark per packet received, at its arrival time</text>%n", 1_000_000_000L / period));
        legend(s, 34);
        for (int i = 0; i < lanes.size(); i++) {
            int base = TOP + (i + 1) * LANE - 6;
            s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>%n", base - 6, escape(names.get(i))));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>%n",
                LEFT, base, LEFT + PLOT, base));
            String color = i == 0 ? UP : DOWN;
            for (RtpEndpoint.Rx p : lanes.get(i)) {
                double x = LEFT + (p.nanos() - start) / 1e6 * px;
                s.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                    x, base - 18, x, base, color));
            }
        }
        int lostBase = lostRow + LANE - 6;
        s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">lost</text>%n", lostBase - 6));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>%n",
            LEFT, lostBase, LEFT + PLOT, lostBase));
        int lost = 0;
        for (int t = 0; t < ticks; t++) {
            boolean upLost = !up.contains(t);
            boolean downLost = !down.contains(t);
            if (upLost || downLost) {
                lost++;
                double x = LEFT + (double) t * period / 1e6 * px;
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" text-anchor=\"middle\">"
                    + "%s</text>%n", x, lostBase - 3, LOST, upLost && downLost ? "x" : upLost ? "u" : "d"));
            }
        }
        if (lost == 0) {
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#777\">no packet lost in either "
                + "direction</text>%n", LEFT + 4, lostBase - 6));
        }
        for (int i = 0; i < results.size(); i++) {
            Harness.Step step = h.steps().get(i);
            double x = LEFT + (step.startNanos - start) / 1e6 * px;
            x = Math.max(LEFT, Math.min(LEFT + PLOT, x));
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
                + "stroke-dasharray=\"3,3\"/>%n", x, TOP, x, axis));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#555\">%d</text>%n", x + 2,
                TOP + 10, i));
        }
        for (long t = 0; t <= endMs; t += 1000) {
            double x = LEFT + t * px;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#777\" text-anchor=\"middle\">%ds"
                + "</text>%n", x, axis + 12, t / 1000));
        }
        for (int i = 0; i < results.size(); i++) {
            Harness.Result r = results.get(i);
            String name = r.step().startsWith(i + " ") ? r.step() : i + " " + r.step();
            s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s: dl-lost %d, ul-lost %d, far end %s"
                + "</text>%n", listTop + i * LINE, escape(name), r.downlinkLost(), r.uplinkLost(),
                r.continuous() ? "continuous" : "BROKEN"));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void legend(StringBuilder s, int y) {
        String[][] items = {
            {UP, "uplink packet at the far end"},
            {DOWN, "downlink packet at a radio"},
            {LOST, "lost, at its send time (u uplink, d downlink, x both)"},
            {"#555", "step start (numbered as listed below)"}};
        int x = 4;
        for (String[] item : items) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\">%s</text>%n", x, y - 9, item[0], x + 14, y, escape(item[1])));
            x += 14 + item[1].length() * 7 + 16;
        }
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
