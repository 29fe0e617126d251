package io.hopgate.control.ng;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
import io.hopgate.control.ng.Bencode.BList;
import io.hopgate.media.Await;
import io.hopgate.media.RtpPeer;
import io.hopgate.media.Termination;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The real client: Kamailio (Debian's package) as the SIP proxy with its rtpengine module pointed at Hopgate's ng
 * port, and two SIPp user agents calling through it, the caller moving by re-INVITE. The Kamailio configuration is
 * the README's snippet, written to a temp dir. Skipped, with the reason, when kamailio or sipp is absent.
 */
class KamailioInteropTest {
    private static final Duration DEADLINE = Duration.ofSeconds(25);
    private static final String MODULES = "/usr/lib/x86_64-linux-gnu/kamailio/modules";

    @TempDir
    Path dir;
    private GatewayService gateway;
    private final List<Process> processes = new ArrayList<>();

    private static String executable(String... paths) {
        for (String p : paths) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }

    @Test
    void shouldShowInTheReadmeTheConfigurationThisTestRuns() throws IOException {
        Path readme = Path.of("..", "README.md");
        assumeTrue(Files.exists(readme), "README.md not found next to the control module");
        assertThat(Files.readString(readme))
            .contains(kamailioConfig(5060, new InetSocketAddress("127.0.0.1", 22222)));
    }

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo test) {
        if (test.getTestMethod().map(m -> m.getName().startsWith("shouldShow")).orElse(false)) {
            return; // reads a file only
        }
        assumeTrue(executable("/usr/sbin/kamailio", "/usr/local/sbin/kamailio") != null,
            "kamailio is not installed (.ci/install-test-deps installs it): Kamailio interop skipped");
        assumeTrue(new File(MODULES, "rtpengine.so").exists(),
            "kamailio's rtpengine module is missing from " + MODULES + ": Kamailio interop skipped");
        assumeTrue(executable("/usr/bin/sipp", "/usr/local/bin/sipp") != null,
            "sipp is not installed: Kamailio interop skipped");
        gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "ng.listen=127.0.0.1:0", "ng.delete-delay-ms=500", "media.port-min=25600", "media.port-max=25799")));
        gateway.start();
    }

    @AfterEach
    void stop() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** The README's Kamailio snippet, completed into a minimal stateful proxy that record-routes. */
    static String kamailioConfig(int sipPort, InetSocketAddress ng) {
        return String.join("\n",
            "#!KAMAILIO",
            "debug=2",
            "log_stderror=yes",
            "children=1",
            "listen=udp:127.0.0.1:" + sipPort,
            "mpath=\"" + MODULES + "/\"",
            "loadmodule \"tm.so\"",
            "loadmodule \"sl.so\"",
            "loadmodule \"rr.so\"",
            "loadmodule \"pv.so\"",
            "loadmodule \"maxfwd.so\"",
            "loadmodule \"textops.so\"",
            "loadmodule \"siputils.so\"",
            "loadmodule \"rtpengine.so\"",
            "modparam(\"rtpengine\", \"rtpengine_sock\", \"udp:" + ng.getAddress().getHostAddress() + ":"
                + ng.getPort() + "\")",
            "request_route {",
            "    if (!mf_process_maxfwd_header(\"10\")) { sl_send_reply(\"483\", \"Too Many Hops\"); exit; }",
            "    if (has_totag()) {",
            "        if (loose_route()) {",
            "            if (is_method(\"INVITE|BYE|CANCEL\") || has_body(\"application/sdp\")) {",
            "                rtpengine_manage(\"replace-origin replace-session-connection ICE=remove\");",
            "            }",
            "            t_on_reply(\"MANAGE\");",
            "            t_relay();",
            "            exit;",
            "        }",
            "        if (is_method(\"ACK\") && t_check_trans()) { t_relay(); }",
            "        exit;",
            "    }",
            "    if (is_method(\"CANCEL\")) { if (t_check_trans()) { rtpengine_manage(); t_relay(); } exit; }",
            "    if (is_method(\"INVITE\")) {",
            "        record_route();",
            "        rtpengine_manage(\"replace-origin replace-session-connection ICE=remove\");",
            "        t_on_reply(\"MANAGE\");",
            "    }",
            "    t_relay();",
            "}",
            "onreply_route[MANAGE] {",
            "    if (has_body(\"application/sdp\")) {",
            "        rtpengine_manage(\"replace-origin replace-session-connection ICE=remove\");",
            "    }",
            "}",
            "");
    }

    private Path resource(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/ng/" + name)) {
            assertThat(in).as("test resource ng/%s", name).isNotNull();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    private boolean logged(String name, String text) {
        try {
            Path p = dir.resolve(name + ".out");
            return Files.exists(p) && Files.readString(p).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private Process run(String name, List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".out").toFile()).start();
        processes.add(p);
        return p;
    }

    private Process sipp(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(executable("/usr/bin/sipp", "/usr/local/bin/sipp"), "-nostdin",
            "-m", "1", "-i", "127.0.0.1", "-timeout", DEADLINE.toSeconds() + "s", "-timeout_error", "-trace_err",
            "-error_file", dir.resolve(name + "-errors.log").toString()));
        cmd.addAll(args);
        return run(name, cmd);
    }

    private String output(String name) throws IOException {
        StringBuilder s = new StringBuilder();
        for (String file : List.of(name + ".out", name + "-errors.log")) {
            Path p = dir.resolve(file);
            if (Files.exists(p)) {
                String text = Files.readString(p);
                s.append("\n--- ").append(file).append(":\n")
                    .append(text.length() > 4000 ? text.substring(text.length() - 4000) : text);
            }
        }
        return s.toString();
    }

    @Test
    void shouldRelayACallThroughKamailiosRtpengineModuleAndFollowTheCallersReInvite() throws Exception {
        int sipPort = freeUdpPort();
        Path cfg = dir.resolve("kamailio.cfg");
        Files.writeString(cfg, kamailioConfig(sipPort, gateway.ngAddress()));
        Process kamailio = run("kamailio", List.of(executable("/usr/sbin/kamailio", "/usr/local/sbin/kamailio"),
            "-f", cfg.toString(), "-DD", "-E", "-Y", dir.toString(), "-m", "32", "-M", "4"));
        // The module pings its rtpengine at start-up and only uses it once it answered pong.
        Await.until("kamailio's rtpengine module found Hopgate", Duration.ofSeconds(10),
            () -> logged("kamailio", "support for it enabled") || !kamailio.isAlive());
        assertThat(kamailio.isAlive()).as(output("kamailio")).isTrue();

        try (RtpPeer caller = new RtpPeer(0xCA11); RtpPeer moved = new RtpPeer(0xCA12);
             RtpPeer callee = new RtpPeer(0xCA13); NgTestClient ng = new NgTestClient(gateway.ngAddress())) {
            int calleeSip = freeUdpPort();
            Process uas = sipp("callee", List.of("-sf", resource("callee-uas.xml").toString(),
                "-p", String.valueOf(calleeSip), "-key", "callee_rtp", String.valueOf(callee.port())));
            Process uac = sipp("caller", List.of("-sf", resource("caller-uac.xml").toString(),
                "-p", String.valueOf(freeUdpPort()), "-key", "rtp_port", String.valueOf(caller.port()),
                "-key", "moved_port", String.valueOf(moved.port()), "-key", "callee_port", String.valueOf(calleeSip),
                "127.0.0.1:" + sipPort));

            Await.until("both legs signalled through kamailio", Duration.ofSeconds(15),
                () -> portFacing(caller.port()) > 0 && portFacing(callee.port()) > 0 || !uac.isAlive());
            assertThat(uac.isAlive()).as(output("caller") + output("kamailio")).isTrue();
            assertThat(((BList) ng.call(Bencode.dict().put("command", "list").build()).get("calls")).items())
                .as("the call is listed over ng").hasSize(1);
            InetSocketAddress callerSendsTo = local(portFacing(caller.port()));
            InetSocketAddress calleeSendsTo = local(portFacing(callee.port()));

            RtpPeer.Received last = null;
            for (int i = 1; i <= 5; i++) {
                caller.send(callerSendsTo, i);
                RtpPeer.Received r = callee.receive(Duration.ofSeconds(2));
                assertThat(r.tag()).as("caller -> callee, packet %d, in order, none lost", i).isEqualTo(i);
                last = r;
                callee.send(calleeSendsTo, 100 + i);
                assertThat(caller.receive(Duration.ofSeconds(2)).tag()).as("callee -> caller").isEqualTo(100 + i);
            }

            Await.until("the caller's leg re-pointed by its re-INVITE", Duration.ofSeconds(15),
                () -> portFacing(moved.port()) > 0 || !uac.isAlive());
            assertThat(portFacing(moved.port())).as("same Hopgate port after the move: %s", output("caller"))
                .isEqualTo(callerSendsTo.getPort());
            moved.sequence(30_000);
            for (int i = 1; i <= 5; i++) {
                moved.send(callerSendsTo, 200 + i);
                RtpPeer.Received r = callee.receive(Duration.ofSeconds(2));
                assertThat(r.tag()).isEqualTo(200 + i);
                assertThat(r.ssrc()).as("the callee sees one stream: same SSRC").isEqualTo(last.ssrc());
                assertThat(r.sequence()).as("and consecutive sequence numbers")
                    .isEqualTo((last.sequence() + 1) & 0xFFFF);
                last = r;
                callee.send(calleeSendsTo, 300 + i);
                assertThat(moved.receive(Duration.ofSeconds(2)).tag()).as("callee -> moved caller").isEqualTo(300 + i);
            }

            assertThat(uac.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(output("caller")).isTrue();
            assertThat(uac.exitValue()).as("caller SIPp: %s %s", output("caller"), output("kamailio")).isZero();
            assertThat(uas.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(output("callee")).isTrue();
            assertThat(uas.exitValue()).as("callee SIPp: %s", output("callee")).isZero();
            Await.until("the call gone from list after BYE", Duration.ofSeconds(5), () -> {
                try {
                    return ((BList) ng.call(Bencode.dict().put("command", "list").build()).get("calls")).items()
                        .isEmpty();
                } catch (Exception e) {
                    return false;
                }
            });
            Await.until("the context freed after ng.delete-delay-ms", Duration.ofSeconds(5),
                () -> gateway.plane().contexts().isEmpty());
        }
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private int portFacing(int partyPort) {
        for (Termination t : gateway.plane().terminations()) {
            if (t.remote() != null && t.remote().rtp().getPort() == partyPort) {
                return t.rtpPort();
            }
        }
        return -1;
    }
}
