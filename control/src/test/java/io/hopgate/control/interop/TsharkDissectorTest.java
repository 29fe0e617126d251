package io.hopgate.control.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hopgate.control.gateway.GatewayService;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wireshark's H.248 text dissector as an independent reader of Hopgate's replies. The test drives a real gateway
 * over UDP from Java (pretty and compact requests, versions 1 to 3, successes and errors), writes every request and
 * every raw reply into a pcap (MGC 10.0.0.1:2945, MG 10.0.0.2:2944, so Wireshark's megaco dissector picks it up on
 * its registered port), and runs {@code tshark -V} and {@code tshark -T fields} on it. Each reply must dissect
 * without a malformed-packet or error-level expert item, and the dissected transaction id, context and commands
 * must match what the gateway answered. Skipped when tshark is not installed. The capture and tshark's output are
 * left in {@code target/interop/} for inspection.
 */
class TsharkDissectorTest {
    private static final Pattern CONTEXT = Pattern.compile("Context = (\\d+)");
    private static final Pattern MEDIA_PORT = Pattern.compile("m=audio (\\d+) ");
    private static final Pattern ADDED = Pattern.compile("Add = (\\S+) \\{");

    /** One exchange: what was sent, the reply and what tshark should find in the reply. */
    private record Exchange(long txn, String request, String reply, String context, List<String> commands) {
    }

    // CHECKSTYLE.OFF: MethodLength|LineLength - one table of every reply shape, some a single long H.248 line
    @Test
    @Timeout(60)
    void wiresharkDissectsEveryReply() throws Exception {
        Optional<Path> tshark = InteropTools.onPath("tshark");
        assumeTrue(tshark.isPresent(), "tshark is not on PATH; install it (.ci/install-test-deps) to run the"
            + " Wireshark dissector test");

        List<Exchange> exchanges = new ArrayList<>();
        try (GatewayService gateway = InteropTools.startGateway(); DatagramSocket socket = new DatagramSocket(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            socket.setSoTimeout(3000);
            Exchanger x = new Exchanger(socket, gateway.controlAddress(), exchanges);

            x.send(1, "-", List.of("ServiceChange"), """
                MEGACO/1 [10.0.0.1]:2945
                Transaction = 1 { Context = - { ServiceChange = ROOT { Services { Method = Restart, Reason = 901 } } } }
                """);
            String added = x.send(2, null, List.of("Add", "Add"), """
                MEGACO/1 [10.0.0.1]:2945
                Transaction = 2 { Context = $ {
                  Add = $ { Media { Stream = 1 { LocalControl { Mode = SendReceive },
                    Local { v=0
                c=IN IP4 $
                m=audio $ RTP/AVP 0 },
                    Remote { v=0
                c=IN IP4 10.0.0.1
                m=audio 16200 RTP/AVP 0 } } } },
                  Add = $ { Media { Stream = 1 { LocalControl { Mode = ReceiveOnly }, Local { v=0
                c=IN IP4 $
                m=audio $ RTP/AVP 0 } } } } } }
                """);
            String ctx = group(CONTEXT, added, 1);
            List<String> terms = groups(ADDED, added);
            assertThat(terms).as(added).hasSize(2);
            String a = terms.get(0);
            String b = terms.get(1);

            // compact, version 2: Topology and Modify with Remote SDP and Statistics audit
            x.send(3, ctx, List.of("Modify"), "!/2 [10.0.0.1]:2945\nT=3{C=" + ctx + "{TP{" + a + "," + b + ",OW},MF="
                + b + "{M{ST=1{O{MO=SR},R{\nv=0\nc=IN IP4 10.0.0.1\nm=audio 16202 RTP/AVP 0\n}}},AT{SA}}}}\n");
            x.send(4, ctx, List.of("AuditValue"), "MEGACO/3 [10.0.0.1]:2945\nTransaction = 4 { Context = " + ctx
                + " { AuditValue = " + a + " { Audit { Media, Statistics } } } }\n");
            x.send(5, "-", List.of("AuditCapability"), """
                MEGACO/2 [10.0.0.1]:2945
                Transaction = 5 { Context = - { AuditCapability = ROOT { Audit { Packages } } } }
                """);
            String moved = x.send(6, null, List.of("Move"), "MEGACO/1 [10.0.0.1]:2945\nTransaction = 6 { Context = $ {"
                + " Move = " + b + " { Media { Stream = 1 { LocalControl { Mode = SendReceive } } } } } }\n");
            String ctx2 = group(CONTEXT, moved, 1);
            x.send(7, "999999", List.of(), """
                MEGACO/1 [10.0.0.1]:2945
                Transaction = 7 { Context = 999999 { Modify = rtp/1 { Media { Stream = 1 { LocalControl { Mode = Inactive } } } } } }
                """);
            x.send(8, ctx, List.of("Subtract"), "!/1 [10.0.0.1]:2945\nT=8{C=" + ctx + "{S=" + a + "{AT{SA}}}}\n");
            x.send(9, ctx2, List.of("Subtract"), "MEGACO/2 [10.0.0.1]:2945\nTransaction = 9 { Context = " + ctx2
                + " { Subtract = " + b + " } }\n");
            // unknown command: the gateway answers with an error descriptor of its own
            x.send(10, null, List.of(), """
                MEGACO/1 [10.0.0.1]:2945
                Transaction = 10 { Context = 1 { Foo } }
                """);
        }

        assertThat(exchanges.get(1).reply()).as("Add reply with Local SDP").contains("m=audio ");
        assertThat(exchanges.get(4).reply()).as("AuditCapability ROOT Packages").contains("Packages {");
        assertThat(exchanges.get(7).reply()).as("Subtract with Audit{Statistics}").contains("Statistics {");
        assertThat(exchanges.get(8).reply()).as("Subtract: Statistics by default").contains("Statistics {");

        Inet4Address mgc = (Inet4Address) InetAddress.getByName("10.0.0.1");
        Inet4Address mg = (Inet4Address) InetAddress.getByName("10.0.0.2");
        Pcap pcap = new Pcap();
        for (Exchange e : exchanges) {
            pcap.udp(mgc, 2945, mg, 2944, e.request().getBytes(StandardCharsets.UTF_8));
            pcap.udp(mg, 2944, mgc, 2945, e.reply().getBytes(StandardCharsets.UTF_8));
        }
        Path out = Path.of("target", "interop");
        Files.createDirectories(out);
        Path file = out.resolve("hopgate-h248.pcap");
        pcap.write(file);

        run(tshark.get(), out.resolve("tshark-V-all.txt"), "-r", file.toString(), "-V");
        // The assertions are on the gateway's frames only: request 10 is invalid on purpose.
        String verbose = run(tshark.get(), out.resolve("tshark-V-replies.txt"), "-r", file.toString(), "-V",
            "-Y", "udp.srcport == 2944");
        String fields = run(tshark.get(), out.resolve("tshark-fields.txt"), "-r", file.toString(), "-T", "fields",
            "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number", "-e", "udp.srcport", "-e", "megaco.transid", "-e", "megaco.context",
            "-e", "megaco.command", "-e", "megaco.termid", "-e", "megaco.error_code", "-e", "_ws.expert.severity",
            "-e", "_ws.malformed", "-e", "sdp.media.port", "-e", "megaco.statistics", "-e",
            "megaco.packagesdescriptor");

        String why = "tshark output in " + out.toAbsolutePath() + "\n" + verbose;
        assertThat(verbose).as(why).doesNotContain("Malformed").doesNotContain("Expert Info (Error");
        assertThat(verbose).as("dissected as MEGACO").contains("MEGACO");

        List<String> rows = Arrays.stream(fields.split("\n")).filter(l -> !l.isBlank()).collect(Collectors.toList());
        assertThat(rows).as(fields).hasSize(2 * exchanges.size());
        for (int i = 0; i < exchanges.size(); i++) {
            Exchange e = exchanges.get(i);
            String[] reply = (rows.get(2 * i + 1) + "||||||||||||").split("\\|", -1);
            String row = "reply to transaction " + e.txn() + ": " + rows.get(2 * i + 1) + "\n" + e.reply();
            assertThat(reply[1]).as(row).isEqualTo("2944");
            if (!e.reply().contains("\nError = ")) { // a message-level error carries no transaction
                assertThat(reply[2]).as("transaction id, " + row).isEqualTo(Long.toString(e.txn()));
            }
            if (e.context() != null) {
                // Wireshark shows the null context (-) as 0, and the field once per tree node that carries it
                assertThat(reply[3].split(",")).as("context, " + row).isNotEmpty()
                    .containsOnly(e.context().equals("-") ? "0" : e.context());
            }
            if (!e.commands().isEmpty()) {
                assertThat(reply[4]).as("commands, " + row).isNotEmpty();
                assertThat(List.of(reply[4].split(","))).as("commands, " + row)
                    .containsAll(e.commands().stream().distinct().collect(Collectors.toList()));
            }
            if (e.reply().contains("Error = ")) {
                assertThat(reply[6]).as("error code, " + row).isNotEmpty();
            }
            assertThat(reply[8]).as("_ws.malformed, " + row).isEmpty();
            List<String> ports = groups(MEDIA_PORT, e.reply());
            if (!ports.isEmpty()) {
                assertThat(reply[9].split(",")).as("SDP m= ports dissected, " + row).containsAll(ports);
            }
            if (e.reply().contains("Statistics {")) {
                assertThat(reply[10]).as("Statistics descriptor dissected, " + row).isNotEmpty();
            }
            if (e.reply().contains("Packages {")) {
                assertThat(reply[11]).as("Packages descriptor dissected, " + row).isNotEmpty();
            }
        }
    }
    // CHECKSTYLE.ON: MethodLength|LineLength

    /** Sends requests, waits for each final reply (skipping Pending), records both texts. */
    private static final class Exchanger {
        private final DatagramSocket socket;
        private final InetSocketAddress gateway;
        private final List<Exchange> exchanges;

        Exchanger(DatagramSocket socket, InetSocketAddress gateway, List<Exchange> exchanges) {
            this.socket = socket;
            this.gateway = gateway;
            this.exchanges = exchanges;
        }

        /** {@code context} null = whatever the gateway chose (read from the reply). */
        String send(long txn, String context, List<String> commands, String request) throws IOException {
            byte[] bytes = request.getBytes(StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(bytes, bytes.length, gateway));
            while (true) {
                byte[] buf = new byte[65535];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                String reply = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
                if (reply.contains("\nPending") || reply.contains("\nPN=")) {
                    continue;
                }
                String ctx = context;
                if (ctx == null) {
                    Matcher m = CONTEXT.matcher(reply);
                    ctx = m.find() ? m.group(1) : null;
                }
                exchanges.add(new Exchange(txn, request, reply, ctx, commands));
                return reply;
            }
        }
    }

    private static String run(Path tshark, Path output, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(tshark.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("tshark finishes").isTrue();
        String text = Files.readString(output);
        assertThat(p.exitValue()).as("tshark exit status\n" + text).isZero();
        return text;
    }

    private static String group(Pattern pattern, String text, int group) {
        Matcher m = pattern.matcher(text);
        assertThat(m.find()).as(pattern + " in\n" + text).isTrue();
        return m.group(group);
    }

    private static List<String> groups(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
