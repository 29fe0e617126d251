package io.hopgate.control.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The demo's chart: one lane per leg (far end = uplink, radios = downlink), packets per 20 ms, steps marked. */
final class Svg {
    private static final int BIN_MS = 20;
    private static final int LANE = 46;
    private static final int LEFT = 90;
    private static final int TOP = 30;

    private Svg() {
    }

    static String chart(Harness h, List<Harness.Result> results) {
        long start = h.traffic().startNanos();
        List<String> names = new ArrayList<>();
        List<List<RtpEndpoint.Rx>> lanes = new ArrayList<>();
        names.add("far (up)");
        lanes.add(h.far.received());
        for (Map.Entry<String, RtpEndpoint> e : h.radios().entrySet()) {
            names.add(e.getKey() + " (down)");
            lanes.add(e.getValue().received());
        }
        long endMs = 0;
        for (List<RtpEndpoint.Rx> lane : lanes) {
            for (RtpEndpoint.Rx p : lane) {
                endMs = Math.max(endMs, (p.nanos() - start) / 1_000_000);
            }
        }
        int bins = (int) (endMs / BIN_MS) + 2;
        double px = Math.max(0.5, Math.min(3.0, 1400.0 / bins));
        int width = LEFT + (int) Math.ceil(bins * px) + 20;
        int height = TOP + lanes.size() * LANE + 150;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "font-family=\"monospace\" font-size=\"11\">%n", width, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\">hopgate demo: packets per %d ms per leg over "
            + "time (one call, 50 packets/s each way)</text>%n", LEFT, BIN_MS));
        for (int i = 0; i < lanes.size(); i++) {
            int base = TOP + (i + 1) * LANE - 6;
            s.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>%n", base - 8, names.get(i)));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ccc\"/>%n",
                LEFT, base, width - 20, base));
            int[] counts = new int[bins];
            for (RtpEndpoint.Rx p : lanes.get(i)) {
                int b = (int) ((p.nanos() - start) / 1_000_000 / BIN_MS);
                if (b >= 0 && b < bins) {
                    counts[b]++;
                }
            }
            String color = i == 0 ? "#c0392b" : "#2e86c1";
            for (int b = 0; b < bins; b++) {
                if (counts[b] > 0) {
                    int hgt = Math.min(LANE - 10, counts[b] * 14);
                    s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                        + "fill=\"%s\"/>%n", LEFT + b * px, base - hgt, Math.max(px - 0.2, 0.3), hgt, color));
                }
            }
        }
        int axis = TOP + lanes.size() * LANE;
        int row = 0;
        for (int i = 0; i < results.size(); i++) {
            Harness.Step step = h.steps().get(i);
            double x = LEFT + (step.startNanos - start) / 1e6 / BIN_MS * px;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
                + "stroke-dasharray=\"3,3\"/>%n", x, TOP, x, axis + 14 + row * 14));
            Harness.Result r = results.get(i);
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s (dl-lost %d, ul-gap %d, %s)</text>%n",
                x + 2, axis + 14 + row * 14, escape(r.step()), r.downlinkLost(), r.uplinkMaxGap(),
                r.continuous() ? "continuous" : "BROKEN"));
            row = (row + 1) % 8;
        }
        for (int t = 0; t <= endMs; t += 1000) {
            double x = LEFT + (double) t / BIN_MS * px;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"#777\">%ds</text>%n", x,
                axis + 135, t / 1000));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
