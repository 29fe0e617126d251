package io.hopgate.control.gateway;

import io.hopgate.control.h248.TransactionReply;
import io.hopgate.media.RtpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.hopgate.control.gateway.H248TestClient.add;
import static io.hopgate.control.gateway.H248TestClient.context;
import static io.hopgate.control.gateway.H248TestClient.errorCode;
import static io.hopgate.control.gateway.H248TestClient.localPort;
import static io.hopgate.control.gateway.H248TestClient.terminations;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * File descriptors run out (a real gateway process under {@code ulimit -n}): the Add that cannot open its sockets
 * gets 510 naming the cause, the calls up keep their media, and a released call's descriptors serve a new one.
 */
@DisabledOnOs(OS.WINDOWS)
class GatewayFdExhaustionTest {
    private static final int FD_LIMIT = 300;
    private GatewayKillRestartTest.Daemon daemon;
    private final List<RtpPeer> peers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.kill();
        }
        for (RtpPeer p : peers) {
            p.close();
        }
    }

    @Test
    void shouldRefuseWith510WhenFileDescriptorsRunOutAndKeepCallsUp() throws Exception {
        int control = GatewayKillRestartTest.freePort();
        daemon = GatewayKillRestartTest.Daemon.start(List.of("control.listen=127.0.0.1:" + control, "admin.listen=",
            "media.port-min=21400", "media.port-max=21999"), FD_LIMIT);
        RtpPeer a = new RtpPeer(1);
        RtpPeer b = new RtpPeer(2);
        peers.add(a);
        peers.add(b);
        try (H248TestClient mgc = new H248TestClient(new InetSocketAddress("127.0.0.1", control))) {
            TransactionReply first = mgc.transaction("Context = $ {\n" + add("SendReceive", a.port()) + ",\n"
                + add("SendReceive", b.port()) + " }");
            assertThat(errorCode(first)).as(mgc.lastRaw).isZero();
            InetSocketAddress gw1 = new InetSocketAddress("127.0.0.1", localPort(first, 0));
            // One-termination contexts until the descriptors run out (each takes two sockets); bounded by the limit.
            List<String> added = new ArrayList<>();
            long lastContext = 0;
            TransactionReply refused = null;
            for (int i = 0; i < FD_LIMIT && refused == null; i++) {
                TransactionReply r;
                try {
                    r = mgc.transaction("Context = $ { " + add("SendReceive", 9) + " }");
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + " after " + added.size() + " Adds; gateway output:\n"
                        + daemon.output(), e);
                }
                if (errorCode(r) != 0) {
                    refused = r;
                } else {
                    lastContext = context(r);
                    added.add(terminations(r).get(0));
                }
            }
            assertThat(refused).as("descriptors run out under ulimit -n %d", FD_LIMIT).isNotNull();
            String text = mgc.lastRaw;
            System.out.printf("fd exhaustion: %d one-termination contexts before the refusal: %s%n", added.size(),
                text.replace('\n', ' '));
            assertThat(errorCode(refused)).isEqualTo(510);
            assertThat(text).containsIgnoringCase("too many open files")
                .contains("open file limit " + FD_LIMIT + " reached");

            a.send(gw1, 7);
            RtpPeer.Received got = b.receive(Duration.ofSeconds(2));
            assertThat(got).as("the call up before keeps its media").isNotNull();
            assertThat(got.tag()).isEqualTo(7);

            TransactionReply release = mgc.transaction("Context = " + lastContext + " { Subtract = "
                + added.get(added.size() - 1) + " }");
            assertThat(errorCode(release)).as(mgc.lastRaw).isZero();
            TransactionReply again = mgc.transaction("Context = $ { " + add("SendReceive", 9) + " }");
            assertThat(errorCode(again)).as("descriptors back after a release: %s", mgc.lastRaw).isZero();
            assertThat(daemon.output()).doesNotContain("Exception in thread");
        }
    }
}
