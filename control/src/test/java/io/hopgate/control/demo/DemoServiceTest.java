package io.hopgate.control.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.hopgate.control.config.Config;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoServiceTest {
    @TempDir
    Path dir;

    @Test
    void shouldPlayEveryProcedureAndFinishWithZero() throws Exception {
        Path svg = dir.resolve("demo.svg");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DemoService demo = new DemoService(Config.load(null, List.of("demo.svg=" + svg, "demo.port-base=23000")), out);
        try {
            demo.start();
            int code = demo.finished().toCompletableFuture().get(60, TimeUnit.SECONDS);
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertThat(code).as(text).isZero();
            assertThat(text).contains("bicast handoff in G1", "handoff G1 -> G2", "fails, reverts", "handoff G2 -> G3",
                "handback G3 -> G1", "1 SSRC, 0 sequence errors", "demo passed");
            String chart = Files.readString(svg);
            assertThat(chart).startsWith("<svg").contains("far (up)", "bss1b (down)", "uplink packet at the far end",
                "downlink packet at a radio", "lost, at its send time", "no packet lost in either direction");
            for (String step : List.of("0 call setup in G1", "1 bicast handoff in G1", "2 handoff G1 -&gt; G2",
                "3 handoff G2 -&gt; G3 fails", "4 handoff G2 -&gt; G3", "5 handback G3 -&gt; G1")) {
                assertThat(chart).as("step %s labelled with its losses", step)
                    .containsPattern(java.util.regex.Pattern.quote(step)
                        + "[^<]*: dl-lost 0, ul-lost 0, far end continuous");
            }
            assertInsideCanvas(chart);
            // the history names the table's steps, and the demo spells out each step's H.248 transactions
            assertThat(text).contains("PREPARE_BICAST", "PREPARE_GATEWAY", "REVERT_GATEWAY", "PREPARE_HANDBACK",
                "COMPLETE_GATEWAY", "K SendRecv; X SendOnly 200 ms later");
        } finally {
            demo.close();
        }
    }

    /** Every text starts inside the canvas and, at 7 px per character of 11 px monospace, ends inside it. */
    private static void assertInsideCanvas(String chart) {
        java.util.regex.Matcher size = java.util.regex.Pattern.compile("width=\"(\\d+)\" height=\"(\\d+)\"")
            .matcher(chart);
        assertThat(size.find()).isTrue();
        int width = Integer.parseInt(size.group(1));
        int height = Integer.parseInt(size.group(2));
        java.util.regex.Matcher text = java.util.regex.Pattern.compile(
            "<text x=\"([0-9.]+)\" y=\"([0-9.]+)\"([^>]*)>([^<]*)</text>").matcher(chart);
        int texts = 0;
        while (text.find()) {
            texts++;
            double x = Double.parseDouble(text.group(1));
            double y = Double.parseDouble(text.group(2));
            int chars = text.group(4).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").length();
            double left = text.group(3).contains("middle") ? x - chars * 3.5 : x;
            double right = text.group(3).contains("middle") ? x + chars * 3.5 : x + chars * 7;
            assertThat(left).as("text '%s' starts inside", text.group(4)).isGreaterThanOrEqualTo(0);
            assertThat(right).as("text '%s' ends inside width %d", text.group(4), width).isLessThanOrEqualTo(width);
            assertThat(y).as("text '%s' inside height %d", text.group(4), height).isBetween(0.0, (double) height);
        }
        assertThat(texts).isGreaterThan(10);
    }
}
