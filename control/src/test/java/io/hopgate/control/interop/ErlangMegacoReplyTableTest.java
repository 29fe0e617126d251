package io.hopgate.control.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.h248.ActionReply;
import io.hopgate.control.h248.CommandReply;
import io.hopgate.control.h248.MegacoWriter;
import io.hopgate.control.h248.Message;
import io.hopgate.control.h248.MessageParser;
import io.hopgate.control.h248.TransactionPending;
import io.hopgate.control.h248.TransactionReply;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of reply the gateway produces, decoded by an independent H.248 stack: Erlang/OTP megaco's pretty and
 * compact text decoders ({@code src/test/resources/interop/megaco_decode.escript}) must both accept each one, in
 * every header version (1, 2, 3) and for requests sent in pretty and in compact text. The table below is one call's
 * life plus each error the gateway answers with; each row names what the decoded reply must show (Erlang's view of
 * it, summarised by the escript). Skipped when {@code escript} or the megaco application is not installed
 * ({@code .ci/install-test-deps}).
 */
class ErlangMegacoReplyTableTest {
    private static final String SDP_LOCAL = "Local {\nv=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0\n}";

    /**
     * One request and what Erlang must decode from its reply. {@code body} is the text after the header; {C}, {T1},
     * {T2}, {C2}, {T3} are ids from earlier replies, {N} the transaction id. {@code compact} is the same request in
     * short tokens when {@code raw} (written by hand because it is malformed); otherwise Hopgate's own writer makes
     * the compact form. {@code expect} is a regular expression the escript's summary must match whole.
     */
    private record Row(String name, String body, String compact, String expect) {
        static Row of(String name, String body, String expect) {
            return new Row(name, body, null, expect);
        }

        static Row raw(String name, String body, String compact, String expect) {
            return new Row(name, body, compact, expect);
        }

        boolean isRaw() {
            return compact != null;
        }
    }

    private static String add(int remotePort) {
        return "Add = $ { Media { Stream = 1 { LocalControl { Mode = SendReceive }, " + SDP_LOCAL
            + ", Remote {\nv=0\nc=IN IP4 127.0.0.1\nm=audio " + remotePort + " RTP/AVP 0\n} } } }";
    }

    private static final String OK = ":err:-:top:-:cmds:";

    private static final List<Row> ROWS = List.of(
        Row.of("Add two in a new context", "Transaction = {N} { Context = $ { " + add(16200) + ", " + add(16202)
            + " } }",
            "reply:\\d+:ctx:\\d+" + OK + "addReply\\+addReply"),
        Row.of("Topology only", "Transaction = {N} { Context = {C} { Topology { {T1}, {T2}, isolate } } }",
            "reply:\\d+:ctx:\\d+:err:-:top:1:cmds:"),
        Row.of("Topology only, two triples",
            "Transaction = {N} { Context = {C} { Topology { {T1}, {T2}, oneway, {T2}, {T1}, bothway } } }",
            "reply:\\d+:ctx:\\d+:err:-:top:2:cmds:"),
        Row.of("Priority only", "Transaction = {N} { Context = {C} { Priority = 3 } }",
            "reply:\\d+:ctx:\\d+:err:-:top:-:cmds:"),
        Row.of("Emergency only", "Transaction = {N} { Context = {C} { Emergency } }",
            "reply:\\d+:ctx:\\d+:err:-:top:-:cmds:"),
        Row.of("Topology and Modify", "Transaction = {N} { Context = {C} { Topology { {T1}, {T2}, bothway }, "
            + "Modify = {T1} { Media { Stream = 1 { LocalControl { Mode = SendOnly } } } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "modReply"),
        Row.of("Modify Remote", "Transaction = {N} { Context = {C} { Modify = {T2} { Media { Stream = 1 { "
            + "Remote {\nv=0\nc=IN IP4 127.0.0.1\nm=audio 16204 RTP/AVP 0\n} } } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "modReply"),
        Row.of("Modify with hopgate/moving", "Transaction = {N} { Context = {C} { Modify = {T2} { Media { Stream = 1 { "
            + "LocalControl { Mode = SendReceive, hopgate/moving = on } } } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "modReply"),
        Row.of("AuditValue ROOT Packages",
            "Transaction = {N} { Context = - { AuditValue = ROOT { Audit { Packages } } } }",
            "reply:\\d+:ctx:0" + OK + "auditValueReply"),
        Row.of("AuditCapability ROOT", "Transaction = {N} { Context = - { AuditCapability = ROOT { Audit { } } } }",
            "reply:\\d+:ctx:0" + OK + "auditCapReply"),
        Row.of("AuditValue of one termination",
            "Transaction = {N} { Context = {C} { AuditValue = {T1} { Audit { Media, Statistics } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "auditValueReply"),
        Row.of("AuditValue * in a context", "Transaction = {N} { Context = {C} { AuditValue = * { Audit { } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "auditValueReply(\\+auditValueReply)*"),
        Row.of("AuditValue * in Context *", "Transaction = {N} { Context = * { AuditValue = * { Audit { } } } }",
            "reply:\\d+(:ctx:\\d+" + OK + "auditValueReply(\\+auditValueReply)*)+"),
        Row.of("ServiceChange from the MGC", "Transaction = {N} { Context = - { ServiceChange = ROOT { Services { "
            + "Method = Restart, Reason = \"901 Cold Boot\" } } } }",
            "reply:\\d+:ctx:0" + OK + "serviceChangeReply"),
        Row.of("two actions", "Transaction = {N} { Context = {C} { AuditValue = {T1} { Audit { } } }, "
            + "Context = - { AuditValue = ROOT { Audit { } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "auditValueReply:ctx:0" + OK + "auditValueReply"),
        Row.of("optional command that fails", "Transaction = {N} { Context = {C} { O-Modify = rtp/99999 { Media { "
            + "Stream = 1 { LocalControl { Mode = SendOnly } } } }, Modify = {T1} { Media { Stream = 1 { "
            + "LocalControl { Mode = SendReceive } } } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "modReplyError430\\+modReply"),
        Row.of("error 411 unknown context", "Transaction = {N} { Context = 4294967000 { Modify = {T1} { } } }",
            "reply:\\d+:ctx:4294967000:err:411:top:-:cmds:"),
        Row.of("error 430 unknown termination", "Transaction = {N} { Context = {C} { Modify = rtp/99999 { } } }",
            "reply:\\d+:ctx:\\d+:err:430:top:-:cmds:"),
        Row.of("error 501 Notify from a controller",
            "Transaction = {N} { Context = {C} { Notify = {T1} { ObservedEvents = 1 { g/sc } } } }",
            "reply:\\d+:ctx:\\d+:err:501:top:-:cmds:"),
        Row.of("error 445 unknown LocalControl property", "Transaction = {N} { Context = {C} { Modify = {T1} { "
            + "Media { Stream = 1 { LocalControl { Mode = SendReceive, foo/bar = 1 } } } } } }",
            "reply:\\d+:ctx:\\d+:err:445:top:-:cmds:"),
        Row.of("error 444 unsupported descriptor",
            "Transaction = {N} { Context = {C} { Modify = {T1} { Signals { g/rt } } } }",
            "reply:\\d+:ctx:\\d+:err:44\\d:top:-:cmds:"),
        Row.of("error on an unsupported context property",
            "Transaction = {N} { Context = {C} { ContextAttr { a/b = 1 } } }",
            "reply:\\d+:ctx:\\d+:err:4\\d\\d:top:-:cmds:"),
        Row.of("error 422 empty action", "Transaction = {N} { Context = {C} { } }",
            "reply:\\d+:ctx:\\d+:err:422:top:-:cmds:"),
        Row.raw("syntax error inside a readable transaction", "Transaction = {N} { Context = - { Foo } }",
            "T={N}{C=-{Foo}}", "reply:\\d+:txnerr:400"),
        Row.raw("unbalanced braces inside a readable transaction",
            "Transaction = {N} { Context = {C} { Modify = {T1} {",
            "T={N}{C={C}{MF={T1}{", "reply:\\d+:txnerr:400"),
        Row.raw("bad mode inside a readable transaction", "Transaction = {N} { Context = {C} { Modify = {T1} { Media { "
            + "Stream = 1 { LocalControl { Mode = Sideways } } } } } }",
            "T={N}{C={C}{MF={T1}{M{ST=1{O{MO=Sideways}}}}}}", "reply:\\d+:txnerr:400"),
        Row.raw("syntax error before any transaction id", "Transaction = { Context = - { } }", "T={C=-{}}",
            "msgerr:400"),
        Row.of("Move into another context", "Transaction = {N} { Context = $ { " + add(16206) + " } }",
            "reply:\\d+:ctx:\\d+" + OK + "addReply"),
        Row.of("Move", "Transaction = {N} { Context = {C2} { Move = {T2} { } } }",
            "reply:\\d+:ctx:\\d+" + OK + "moveReply"),
        Row.of("Subtract with Statistics",
            "Transaction = {N} { Context = {C} { Subtract = {T1} { Audit { Statistics } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "subtractReply"),
        Row.of("Subtract *", "Transaction = {N} { Context = {C2} { Subtract = * { Audit { } } } }",
            "reply:\\d+:ctx:\\d+" + OK + "subtractReply\\+subtractReply"),
        Row.of("AuditValue * in Context * with no context left",
            "Transaction = {N} { Context = * { AuditValue = * { Audit { } } } }",
            "reply:\\d+:ctx:\\d+:err:431:top:-:cmds:"));

    private static GatewayService gateway;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        gateway = new GatewayService(Config.load(null, List.of(
            "control.listen=127.0.0.1:0", "admin.listen=", "media.port-min=23400", "media.port-max=23499")));
        gateway.start();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    @Timeout(120)
    void shouldSendOnlyRepliesThatErlangMegacoDecodes() throws Exception {
        Optional<Path> escript = InteropTools.onPath("escript");
        assumeTrue(escript.isPresent(), "escript (Erlang/OTP) is not on PATH; install erlang-base and erlang-megaco"
            + " (.ci/install-test-deps) to run the Erlang megaco reply table");
        Map<String, byte[]> replies = new LinkedHashMap<>();
        Map<String, Row> rowOf = new LinkedHashMap<>();
        long txn = 5000;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            for (String encoding : List.of("pretty", "compact")) {
                for (int version = 1; version <= 3; version++) {
                    Map<String, String> ids = new LinkedHashMap<>();
                    for (Row row : ROWS) {
                        ids.put("{N}", Long.toString(++txn));
                        String text = request(row, encoding, version, socket.getLocalPort(), ids);
                        byte[] reply = exchange(socket, text);
                        String key = encoding + "/v" + version + "/" + rowOf.size();
                        replies.put(key, reply);
                        rowOf.put(key, row);
                        learnIds(row, reply, ids);
                    }
                    // the version sent in the header comes back in the reply, whatever the row
                    String last = new String(replies.get(encoding + "/v" + version + "/" + (rowOf.size() - 1)),
                        StandardCharsets.UTF_8);
                    assertThat(last).startsWith("MEGACO/" + version + " ");
                }
            }
        }
        Map<String, String> decoded = decodeWithErlang(escript.get(), replies);
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : replies.entrySet()) {
            String line = decoded.get(e.getKey());
            Row row = rowOf.get(e.getKey());
            String text = new String(e.getValue(), StandardCharsets.UTF_8);
            if (line == null || !line.startsWith("OK ")) {
                failures.add(e.getKey() + " " + row.name() + ": Erlang did not decode\n" + text + "\n-> " + line);
                continue;
            }
            String[] words = line.split(" ", 4);
            String summary = words.length == 4 ? words[3] : "";
            String sentVersion = e.getKey().split("/")[1].substring(1);
            if (!words[2].equals(sentVersion)) {
                failures.add(e.getKey() + " " + row.name() + ": reply in version " + words[2] + " to a request in "
                    + sentVersion + "\n" + text);
            } else if (!summary.matches(row.expect())) {
                failures.add(e.getKey() + " " + row.name() + ": decoded as " + summary + ", expected " + row.expect()
                    + "\n" + text);
            }
        }
        assertThat(failures).as(String.join("\n\n", failures)).isEmpty();
        assertThat(decoded).as("one decoded line per reply").hasSize(replies.size());
    }

    private static String request(Row row, String encoding, int version, int port, Map<String, String> ids) {
        boolean compact = encoding.equals("compact");
        String body = substitute(compact && row.isRaw() ? row.compact() : row.body(), ids);
        String header = (compact ? "!/" : "MEGACO/") + version + " [127.0.0.1]:" + port + "\n";
        if (!compact || row.isRaw()) {
            return header + body + "\n";
        }
        // The same request in short tokens, written by Hopgate's compact writer (what an MGC in compact mode sends).
        return MegacoWriter.compact().write(MessageParser.parse(header + body + "\n"));
    }

    private static String substitute(String text, Map<String, String> ids) {
        String out = text;
        for (Map.Entry<String, String> e : ids.entrySet()) {
            out = out.replace(e.getKey(), e.getValue());
        }
        return out;
    }

    /** After the Add rows: the context and termination ids the later rows name. */
    private static void learnIds(Row row, byte[] reply, Map<String, String> ids) {
        if (!row.name().startsWith("Add two") && !row.name().startsWith("Move into")) {
            return;
        }
        Message m = MessageParser.parse(reply, reply.length);
        TransactionReply r = (TransactionReply) m.transactions().get(0);
        ActionReply a = r.actions().get(0);
        List<CommandReply> adds = a.commands();
        if (row.name().startsWith("Add two")) {
            ids.put("{C2}", "-");
            ids.put("{C}", a.contextId().text());
            ids.put("{T1}", adds.get(0).terminationId().text());
            ids.put("{T2}", adds.get(1).terminationId().text());
        } else {
            ids.put("{C2}", a.contextId().text());
            ids.put("{T3}", adds.get(0).terminationId().text());
        }
    }

    /** Sends one request and returns the first answer that is not a TransactionPending. */
    private static byte[] exchange(DatagramSocket socket, String text) throws IOException {
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(out, out.length, gateway.controlAddress()));
        byte[] buf = new byte[65_535];
        while (true) {
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer within 5 s to\n" + text, e);
            }
            byte[] reply = java.util.Arrays.copyOf(in.getData(), in.getLength());
            Message m = MessageParser.parse(reply, reply.length);
            boolean pendingOnly = !m.transactions().isEmpty()
                && m.transactions().stream().allMatch(t -> t instanceof TransactionPending);
            if (!pendingOnly) {
                return reply;
            }
        }
    }

    /** Runs the escript once over all replies; returns its line per reply key. */
    private Map<String, String> decodeWithErlang(Path escript, Map<String, byte[]> replies)
        throws IOException, InterruptedException {
        Path script = InteropTools.resource("megaco_decode.escript", dir);
        Path stderr = dir.resolve("escript.stderr");
        Process process = new ProcessBuilder(escript.toString(), script.toString())
            .redirectError(stderr.toFile()).start();
        try (OutputStream in = process.getOutputStream()) {
            for (Map.Entry<String, byte[]> e : replies.entrySet()) {
                in.write((e.getKey() + " " + HexFormat.of().formatHex(e.getValue()) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            }
        }
        Map<String, String> lines = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                assumeTrue(!line.equals("NOMEGACO"), "Erlang is installed but the megaco application is not"
                    + " (Debian: erlang-megaco)");
                String[] words = line.split(" ", 3);
                if (words.length >= 2) {
                    lines.put(words[1], line.length() > 600 ? line.substring(0, 600) + "..." : line);
                }
            }
        }
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("escript exits").isTrue();
        assertThat(process.exitValue()).as("escript exit status; stderr: " + Files.readString(stderr)).isZero();
        return lines;
    }
}
