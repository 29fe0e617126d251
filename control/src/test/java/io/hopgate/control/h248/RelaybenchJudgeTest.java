package io.hopgate.control.h248;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our replies must satisfy the benchmark client's own parser (relaybench h248ctl.py): it is run
 * as a judge on the pretty and compact text. Skipped where python3 or the tool is not present.
 */
class RelaybenchJudgeTest {
    private static final Path TOOL = Path.of("/work/shared/tools/relaybench/h248ctl.py");
    private static final String JUDGE = """
            import sys, json
            sys.path.insert(0, '/work/shared/tools/relaybench')
            import h248ctl
            for path in sys.argv[1:]:
                m = h248ctl.parse_message(open(path, 'rb').read())
                out = []
                for t in m['transactions']:
                    out.append({'kind': t['kind'], 'tid': t['tid'], 'errors': [list(e) for e in h248ctl.txn_errors(t)],
                                'acks': t['acks'], 'immack': t['immack'],
                                'lines': h248ctl.describe(t)})
                print(json.dumps({'mid': m['mid'], 'error': m['error'], 'transactions': out}, sort_keys=True))
            """;

    @TempDir
    Path dir;

    private List<String> judge(Message m) throws IOException, InterruptedException {
        List<String> lines = judgeBoth(m);
        assertThat(lines.get(0)).as("pretty and compact read the same").isEqualTo(lines.get(1));
        return lines;
    }

    /** [pretty, compact] as the judge read them. */
    private List<String> judgeBoth(Message m) throws IOException, InterruptedException {
        assumeTrue(Files.isRegularFile(TOOL), "relaybench h248ctl.py not present");
        Path script = dir.resolve("judge.py");
        Files.writeString(script, JUDGE);
        Path pretty = dir.resolve("pretty.txt");
        Path compact = dir.resolve("compact.txt");
        Files.writeString(pretty, MegacoWriter.pretty().write(m));
        Files.writeString(compact, MegacoWriter.compact().write(m));
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString(), pretty.toString(), compact.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException noPython) {
            assumeTrue(false, "python3 not available: " + noPython.getMessage());
            return List.of();
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("judge finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(2);
        return lines;
    }

    @Test
    void shouldSatisfyBenchmarkClientWithAddReply() throws Exception {
        String json = judge(Samples.addReply()).get(0);

        assertThat(json).contains("\"kind\": \"reply\"", "\"tid\": 1000", "\"errors\": []",
                "context=1", "Add rtp/1", "stream=1 local=127.0.0.1:30000", "Add rtp/2",
                "stream=1 local=127.0.0.1:30002");
    }

    @Test
    void shouldSatisfyBenchmarkClientWithErrorsPendingAndAcks() throws Exception {
        String json = judge(Samples.all().get(6)).get(0);

        assertThat(json).contains("\"kind\": \"pending\"", "\"immack\": true",
                "[\"Subtract rtp/9\", 430, \"Unknown TerminationID: rtp/9\"]",
                "[\"context 5\", 422, \"bad action\"]", "[\"transaction\", 411, \"context 77 unknown\"]",
                "\"acks\": [\"10-12\", \"15\"]", "rtp/ps");
    }

    @Test
    void shouldSatisfyBenchmarkClientWithMessageErrorAndRequests() throws Exception {
        assertThat(judge(Samples.all().get(7)).get(0)).contains("\"error\": [400, \"Syntax error at line 2: expected '}'\"]");
        // the judge keeps topology directions as written and does not know the O-/W- prefixes, so its
        // compact reading differs in those spellings only; the pretty one is checked
        assertThat(judgeBoth(Samples.all().get(1)).get(0)).contains("\"kind\": \"request\"",
                "topology=rtp/1,rtp/2,Oneway", "stream=1 mode=SendReceive local=$:$ remote=127.0.0.1:16200");
    }
}
