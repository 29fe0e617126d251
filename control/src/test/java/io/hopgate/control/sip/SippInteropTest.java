package io.hopgate.control.sip;

import io.hopgate.control.config.Config;
import io.hopgate.control.gateway.GatewayService;
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
 * Real user agents against the server (docs/architecture.md section 3.3: "real user agents work against it"): SIPp as
 * bob answers
 * and echoes RTP; SIPp as alice registers and calls {@code bob@example.com} by name, with her media on a test
 * RtpPeer so the test can check that speech goes alice -> gateway -> bob -> gateway -> alice.
 * Skipped, with the reason, when {@code sipp} is not installed.
 */
class SippInteropTest {
    private static final Duration SIPP_DEADLINE = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private GatewayService gateway;
    private SipMobilityServer server;
    private final List<Process> processes = new ArrayList<>();

    static String sipp() {
        for (String p : List.of("/usr/bin/sipp", "/usr/local/bin/sipp")) {
            if (new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }

    @BeforeEach
    void start() throws Exception {
        assumeTrue(sipp() != null, "sipp is not installed (looked in /usr/bin and /usr/local/bin): SIPp interop "
            + "skipped");
        gateway = new GatewayService(Config.load(null, List.of("control.listen=127.0.0.1:0", "admin.listen=",
            "media.port-min=28000", "media.port-max=28999")));
        gateway.start();
        server = SipMobilityServer.start(new InetSocketAddress("127.0.0.1", 0), gateway.controlAddress());
    }

    @AfterEach
    void stop() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        if (server != null) {
            server.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    private Path resource(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/sip/" + name)) {
            assertThat(in).as("test resource sip/%s", name).isNotNull();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            return s.getLocalPort();
        }
    }

    private Process sipp(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(sipp(), "-nostdin", "-m", "1", "-i", "127.0.0.1",
            "-timeout", SIPP_DEADLINE.toSeconds() + "s", "-timeout_error", "-trace_err",
            "-error_file", dir.resolve(name + "-errors.log").toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile())
            .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        processes.add(p);
        return p;
    }

    private String output(String name) throws IOException {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + "-errors.log");
        return (Files.exists(out) ? tail(Files.readString(out)) : "")
            + (Files.exists(err) ? "\nerrors:\n" + tail(Files.readString(err)) : "");
    }

    private static String tail(String s) {
        return s.length() > 3000 ? s.substring(s.length() - 3000) : s;
    }

    @Test
    void shouldCarryARegisterAndACallByNameBetweenTwoSippUserAgents() throws Exception {
        InetSocketAddress sip = server.sipAddress();
        int bobPort = freeUdpPort();
        int bobMedia = freeUdpPort();
        Process bob = sipp("bob", List.of("-sf", resource("bob-uas.xml").toString(), "-p", String.valueOf(bobPort),
            "-mp", String.valueOf(bobMedia), "-rtp_echo"));
        // SIPp as a UAS cannot send first, so bob's binding is registered for him, pointing at SIPp's port.
        try (TestUa registrar = new TestUa("bob@example.com", sip)) {
            assertThat(registrar.register(60, "sip:bob@127.0.0.1:" + bobPort, Duration.ofSeconds(3)).status())
                .isEqualTo(200);
        }
        try (RtpPeer aliceMedia = new RtpPeer(0xA1)) {
            Process alice = sipp("alice", List.of("-sf", resource("alice-uac.xml").toString(),
                "-key", "rtp_port", String.valueOf(aliceMedia.port()),
                "-p", String.valueOf(freeUdpPort()), sip.getHostString() + ":" + sip.getPort()));

            // While alice's SIPp holds the call, speak into the gateway port that faces her; bob echoes.
            Await.until("a context with alice's leg answered", Duration.ofSeconds(10),
                () -> gatewayPortFacing(aliceMedia.port()) > 0 && bothRemotesSet());
            InetSocketAddress gw = new InetSocketAddress("127.0.0.1", gatewayPortFacing(aliceMedia.port()));
            RtpPeer.Received echo = null;
            for (int i = 0; i < 10 && echo == null; i++) {
                aliceMedia.send(gw, 40 + i);
                echo = aliceMedia.receive(Duration.ofMillis(500));
            }
            assertThat(echo).as("alice's RTP came back through the gateway from bob's SIPp echo").isNotNull();
            assertThat(echo.tag()).isBetween(40, 49);

            assertThat(alice.waitFor(SIPP_DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(output("alice")).isTrue();
            assertThat(alice.exitValue()).as(output("alice")).isZero();
        }
        assertThat(bob.waitFor(SIPP_DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(output("bob")).isTrue();
        assertThat(bob.exitValue()).as(output("bob")).isZero();
        Await.until("context freed after alice's BYE", Duration.ofSeconds(3),
            () -> gateway.plane().contexts().isEmpty());
    }

    @Test
    void shouldFollowASippCalleeThatMovesByReInviteWithoutDisturbingTheCaller() throws Exception {
        InetSocketAddress sip = server.sipAddress();
        int bobPort = freeUdpPort();
        try (RtpPeer aliceMedia = new RtpPeer(0xA1); RtpPeer bobMoved = new RtpPeer(0xB2)) {
            Process bob = sipp("bob", List.of("-sf", resource("bob-uas-move.xml").toString(),
                "-p", String.valueOf(bobPort), "-mp", String.valueOf(freeUdpPort()), "-rtp_echo",
                "-key", "new_rtp_port", String.valueOf(bobMoved.port())));
            try (TestUa registrar = new TestUa("bob@example.com", sip)) {
                assertThat(registrar.register(60, "sip:bob@127.0.0.1:" + bobPort, Duration.ofSeconds(3)).status())
                    .isEqualTo(200);
            }
            Process alice = sipp("alice", List.of("-sf", resource("alice-uac.xml").toString(),
                "-key", "rtp_port", String.valueOf(aliceMedia.port()),
                "-p", String.valueOf(freeUdpPort()), sip.getHostString() + ":" + sip.getPort()));
            Await.until("a context with both legs answered", Duration.ofSeconds(10),
                () -> gatewayPortFacing(aliceMedia.port()) > 0 && bothRemotesSet());
            InetSocketAddress gw = new InetSocketAddress("127.0.0.1", gatewayPortFacing(aliceMedia.port()));

            // Before the move (bob's SIPp re-INVITEs 3 s after the ACK): bob echoes alice's packets back to her.
            RtpPeer.Received last = null;
            for (int i = 0; i < 5 && last == null; i++) {
                aliceMedia.send(gw, 40 + i);
                last = aliceMedia.receive(Duration.ofMillis(400));
            }
            assertThat(last).as("echo from bob's first address").isNotNull();
            for (RtpPeer.Received r = last; r != null; r = aliceMedia.receive(Duration.ofMillis(100))) {
                last = r;
            }

            // bob re-INVITEs with bobMoved's port; the gateway re-points his leg there.
            Await.until("bob's leg re-pointed by his re-INVITE", Duration.ofSeconds(10),
                () -> gatewayPortFacing(bobMoved.port()) > 0);
            InetSocketAddress gwBob = new InetSocketAddress("127.0.0.1", gatewayPortFacing(bobMoved.port()));
            aliceMedia.send(gw, 77);
            RtpPeer.Received atBob = bobMoved.receive(Duration.ofSeconds(2));
            assertThat(atBob).as("alice's speech reaches bob's new address").isNotNull();
            assertThat(atBob.tag()).isEqualTo(77);
            bobMoved.send(gwBob, 88);
            // An echo of a probe may come later than the 100 ms drain above (SIPp on a loaded machine); it is part of
            // alice's stream too, so it must continue it, and 88 must continue after it.
            RtpPeer.Received atAlice;
            while ((atAlice = aliceMedia.receive(Duration.ofSeconds(2))) != null && atAlice.tag() != 88) {
                assertThat(atAlice.tag()).as("only a late echo of a probe comes before 88").isBetween(40, 44);
                assertThat(atAlice.ssrc()).as("late echo keeps alice's SSRC").isEqualTo(last.ssrc());
                assertThat(atAlice.sequence()).as("late echo continues alice's sequence")
                    .isEqualTo((last.sequence() + 1) & 0xFFFF);
                last = atAlice;
            }
            assertThat(atAlice).as("bob's speech from the new address reaches alice").isNotNull();
            assertThat(atAlice.tag()).isEqualTo(88);
            assertThat(atAlice.ssrc()).as("alice's stream keeps its SSRC across bob's move").isEqualTo(last.ssrc());
            assertThat(atAlice.sequence()).as("and its sequence").isEqualTo((last.sequence() + 1) & 0xFFFF);

            assertThat(alice.waitFor(SIPP_DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(output("alice")).isTrue();
            assertThat(alice.exitValue()).as("alice's SIPp saw no unexpected message (no re-INVITE): %s",
                output("alice")).isZero();
            assertThat(bob.waitFor(SIPP_DEADLINE.toSeconds(), TimeUnit.SECONDS)).as(output("bob")).isTrue();
            assertThat(bob.exitValue()).as(output("bob")).isZero();
        }
        Await.until("context freed after alice's BYE", Duration.ofSeconds(3),
            () -> gateway.plane().contexts().isEmpty());
    }

    private int gatewayPortFacing(int partyPort) {
        for (Termination t : gateway.plane().terminations()) {
            if (t.remote() != null && t.remote().rtp() != null && t.remote().rtp().getPort() == partyPort) {
                return t.rtpPort();
            }
        }
        return -1;
    }

    private boolean bothRemotesSet() {
        return gateway.plane().terminations().stream().filter(t -> t.remote() != null && t.remote().rtp() != null)
            .count() == 2;
    }
}
