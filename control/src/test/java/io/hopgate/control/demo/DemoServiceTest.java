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
            // the history names the table's steps, and the demo spells out each step's H.248 transactions
            assertThat(text).contains("PREPARE_BICAST", "PREPARE_GATEWAY", "REVERT_GATEWAY", "PREPARE_HANDBACK",
                "COMPLETE_GATEWAY", "K SendRecv, X SendOnly");
            assertThat(Files.readString(svg)).startsWith("<svg").contains("far (up)", "bss1b (down)");
        } finally {
            demo.close();
        }
    }
}
