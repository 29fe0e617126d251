package io.hopgate.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code media.transport}: how it is chosen, and that each transport available here forwards media both ways with
 * connected sockets, including across a Move to a context on another loop (on io_uring that re-binds the sockets).
 * The rest of the suite runs once per transport (the build's second surefire execution).
 */
class TransportTest {
    private static final Duration ARRIVAL = Duration.ofSeconds(5);
    private final List<RtpPeer> peers = new ArrayList<>();
    private MediaPlane plane;

    @AfterEach
    void tearDown() throws Exception {
        for (RtpPeer p : peers) {
            p.close();
        }
        if (plane != null) {
            plane.close();
        }
    }

    private RtpPeer peer(int ssrc) throws Exception {
        RtpPeer p = new RtpPeer(ssrc);
        peers.add(p);
        return p;
    }

    @Test
    void shouldRefuseAnUnknownTransportNamingTheChoices() {
        assertThatThrownBy(() -> Transport.choose("dpdk"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("media.transport=dpdk")
            .hasMessageContaining("auto, io_uring, epoll or nio");
    }

    @Test
    void shouldPreferEpollThenIoUringForAuto() {
        String forced = System.clearProperty(Transport.PROPERTY);
        try {
            Transport.Choice auto = Transport.choose("auto");
            Transport expected = Transport.EPOLL.available() ? Transport.EPOLL
                : Transport.IO_URING.available() ? Transport.IO_URING : Transport.NIO;
            assertThat(auto.transport()).isEqualTo(expected);
            assertThat(auto.reason()).startsWith("auto");
        } finally {
            if (forced != null) {
                System.setProperty(Transport.PROPERTY, forced);
            }
        }
    }

    @Test
    void shouldLetTheSystemPropertyDecideWhatAutoMeans() {
        String forced = System.getProperty(Transport.PROPERTY);
        System.setProperty(Transport.PROPERTY, "nio");
        try {
            Transport.Choice auto = Transport.choose("");
            assertThat(auto.transport()).isEqualTo(Transport.NIO);
            assertThat(auto.reason()).contains(Transport.PROPERTY + "=nio");
            assertThat(Transport.choose("epoll").transport()).isEqualTo(Transport.EPOLL); // a named one wins
        } finally {
            if (forced == null) {
                System.clearProperty(Transport.PROPERTY);
            } else {
                System.setProperty(Transport.PROPERTY, forced);
            }
        }
    }

    @Test
    void shouldRunThisSuiteOnTheTransportTheBuildAsksFor() {
        String forced = System.getProperty(Transport.PROPERTY, "");
        assumeTrue(!forced.isEmpty(), "the default surefire execution: auto");
        plane = MediaPlane.start(MediaPlaneConfig.loopback(23000, 23099));
        assertThat(plane.transport().setting()).isEqualTo(forced);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void shouldForwardBothWaysAndAcrossLoopsWithConnectedSockets(Transport transport) throws Exception {
        assumeTrue(transport.available(), () -> transport + " unavailable: " + transport.unavailabilityCause());
        plane = MediaPlane.start(MediaPlaneConfig.loopback(23000, 23099).toBuilder().ioThreads(2)
            .connectSockets(true).transport(transport.setting()).build());
        assertThat(plane.transport()).isEqualTo(transport);
        RtpPeer a = peer(0xA);
        RtpPeer b = peer(0xB);
        RtpPeer c = peer(0xC);
        MediaContext first = plane.createContext();
        MediaContext second = plane.createContext();
        assertThat(first.loop).isNotSameAs(second.loop);
        Termination ta = plane.add(first, StreamMode.SEND_RECV, a.address());
        Termination tb = plane.add(first, StreamMode.SEND_RECV, b.address());
        Termination tc = plane.add(second, StreamMode.SEND_RECV, c.address());
        Await.until("both RTP sockets connected", () -> ta.rtpConnectedTo != null && tb.rtpConnectedTo != null);
        a.send(ta.localRtp(), 1);
        assertThat(b.receive(ARRIVAL).tag()).isEqualTo(1);
        b.send(tb.localRtp(), 2);
        assertThat(a.receive(ARRIVAL).tag()).isEqualTo(2);

        int port = tb.localRtp().getPort();
        plane.move(tb, second);
        Await.until("moved socket connected again", () -> tb.rtpConnectedTo != null);
        for (int i = 0; i < 20; i++) {
            c.send(tc.localRtp(), 100 + i);
            assertThat(b.receive(ARRIVAL).tag()).isEqualTo(100 + i);
            b.send(tb.localRtp(), 200 + i);
            assertThat(c.receive(ARRIVAL).tag()).isEqualTo(200 + i);
        }
        assertThat(tb.rtpChannel.localAddress()).as("the moved termination keeps its port")
            .isEqualTo(new java.net.InetSocketAddress(tb.localRtp().getAddress(), port));
        plane.subtract(tb);
        plane.subtract(tc);
        plane.subtract(ta);
    }
}
