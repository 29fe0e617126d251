package io.hopgate.bench;

import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import io.hopgate.media.MediaPlaneException;
import io.hopgate.media.PacketForwarder;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;
import io.hopgate.media.Topology;
import io.hopgate.rtp.RtpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Route cost while control flips state under traffic: one thread routes packets from A (as A's I/O loop would),
 * the other flips, as fast as it can, either B's mode (SEND_RECV / RECV_ONLY, so A's packets alternately go out and
 * are dropped as NO_ROUTE) or the A-B topology (BOTHWAY / ISOLATE, which rebuilds and republishes the route tables).
 * Back-to-back flips are the worst case for the cache line the routing thread reads; real flips are rare.
 *
 * <p>Report {@code flip:route} (ns per routed datagram, including rewrite and batch hand-off when a target is
 * left). The group's {@code gc.alloc.rate.norm} mixes both threads' allocation per op: the command API allocates
 * (route tables are copy-on-write), the route thread does not (see {@link ForwardingBenchmark}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Group)
public class FlipBenchmark {
    private static final int PORT_MIN = 46_100;
    private static final int PORT_MAX = 46_199;
    private static final int PEER_PORT = 47_100;

    @Param({"mode", "topology"})
    public String flip;

    private MediaPlane plane;
    private MediaContext context;
    private Termination a;
    private Termination b;

    /** Forwarding state: touched by the routing thread only. */
    @State(Scope.Thread)
    public static class Router {
        PacketForwarder forwarder;
        SendBatch batch;
        UnsafeBuffer packet;
        InetSocketAddress source;
        int sequence;
        int timestamp;
        long nowNanos;

        @Setup(Level.Trial)
        public void setUp(FlipBenchmark shared) {
            forwarder = new PacketForwarder(shared.plane.config().maxTerminationsPerContext());
            batch = new SendBatch(shared.plane.config().maxTerminationsPerContext());
            packet = RtpFixture.packet("direct", 0x1234_5678);
            source = RtpFixture.loopback(PEER_PORT);
            nowNanos = System.nanoTime();
        }
    }

    /** Flip state: touched by the flipping thread only. */
    @State(Scope.Thread)
    public static class Flipper {
        boolean on;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        plane = MediaPlane.start(MediaPlaneConfig.loopback(PORT_MIN, PORT_MAX));
        context = plane.createContext();
        a = plane.add(context, StreamMode.SEND_RECV, RtpFixture.loopback(PEER_PORT));
        b = plane.add(context, StreamMode.SEND_RECV, RtpFixture.loopback(PEER_PORT + 2));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plane.close();
    }

    @Benchmark
    @Group("flip")
    @GroupThreads(1)
    public int route(Router r, Blackhole bh) {
        UnsafeBuffer packet = r.packet;
        RtpHeader.sequence(packet, 0, ++r.sequence & 0xFFFF);
        RtpHeader.timestamp(packet, 0, r.timestamp += RtpFixture.TIMESTAMP_STEP);
        long now = r.nowNanos += RtpFixture.PACKET_INTERVAL_NANOS;
        int length = RtpFixture.PACKET_LENGTH;
        PacketForwarder forwarder = r.forwarder;
        int count = forwarder.route(a, false, packet, 0, length, r.source, now);
        // Unicast: one target at most, rewritten in place.
        for (int i = 0; i < count; i++) {
            Termination to = forwarder.target(i);
            if (forwarder.rewrite(a, to, packet, 0, length, now)) {
                r.batch.add(to, forwarder.destination(i), length);
            }
        }
        r.batch.endDatagram(bh);
        return count;
    }

    @Benchmark
    @Group("flip")
    @GroupThreads(1)
    public boolean flip(Flipper f) throws MediaPlaneException {
        boolean on = f.on = !f.on;
        if ("mode".equals(flip)) {
            plane.mode(b, on ? StreamMode.RECV_ONLY : StreamMode.SEND_RECV);
        } else {
            plane.topology(context, a, b, on ? Topology.ISOLATE : Topology.BOTHWAY);
        }
        return on;
    }
}
