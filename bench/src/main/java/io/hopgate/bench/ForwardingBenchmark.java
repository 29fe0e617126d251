package io.hopgate.bench;

import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import io.hopgate.media.PacketForwarder;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;
import io.hopgate.rtp.RtpHeader;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The per-packet path of one I/O loop without the syscalls: classify + gate ({@link PacketForwarder#route}), egress
 * rewrite per target ({@link PacketForwarder#rewrite}) and the hand-off to a send batch, for one 172-byte PCMU
 * packet arriving on termination 1 of a context with 2 (unicast) or 3 (bicast) terminations.
 *
 * <p>As in IoLoop, every copy but the last is taken from the pristine datagram (here: into a preallocated scratch
 * buffer of the same kind) and the last is rewritten in place. Sequence and timestamp advance per packet and the
 * clock advances 20 ms per packet, so reception statistics and the rewriter follow a steady stream, not a
 * duplicate. {@code System.nanoTime()} (once per datagram in IoLoop) is left out: see {@link ClockBenchmark}.
 *
 * <p>State: the media plane binds real loopback sockets (nothing is ever sent); the forwarder and the terminations'
 * egress state are used by the benchmark thread only, as by their I/O loop ({@code Scope.Thread}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@State(Scope.Thread)
public class ForwardingBenchmark {
    private static final int PORT_MIN = 46_000;
    private static final int PORT_MAX = 46_099;
    private static final int PEER_PORT = 47_000;

    @Param({"direct", "heap"})
    public String buffer;

    /** 2: A to B (unicast); 3: A to B and C (bicast). */
    @Param({"2", "3"})
    public int terminations;

    private MediaPlane plane;
    private Termination ingress;
    private PacketForwarder forwarder;
    private SendBatch batch;
    private UnsafeBuffer packet;
    private UnsafeBuffer scratch;
    private InetSocketAddress source;
    private int sequence;
    private int timestamp;
    private long nowNanos;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        plane = MediaPlane.start(MediaPlaneConfig.loopback(PORT_MIN, PORT_MAX));
        MediaContext context = plane.createContext();
        for (int i = 0; i < terminations; i++) {
            Termination t = plane.add(context, StreamMode.SEND_RECV, RtpFixture.loopback(PEER_PORT + 2 * i));
            if (i == 0) {
                ingress = t;
            }
        }
        forwarder = new PacketForwarder(plane.config().maxTerminationsPerContext());
        batch = new SendBatch(plane.config().maxTerminationsPerContext());
        packet = RtpFixture.packet(buffer, 0x1234_5678);
        scratch = RtpFixture.buffer(buffer, RtpFixture.PACKET_LENGTH);
        source = RtpFixture.loopback(PEER_PORT);
        nowNanos = System.nanoTime();
        // One packet so that the rewriters have their source and the hot loop measures the steady state.
        int count = forward(null);
        if (count != terminations - 1) {
            throw new IllegalStateException("route gave " + count + " targets, expected " + (terminations - 1));
        }
        batch.clear();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plane.close();
    }

    @Benchmark
    public int forward(Blackhole bh) {
        // What the peer changes per packet; the rest of the datagram is as it arrived.
        RtpHeader.sequence(packet, 0, ++sequence & 0xFFFF);
        RtpHeader.timestamp(packet, 0, timestamp += RtpFixture.TIMESTAMP_STEP);
        long now = nowNanos += RtpFixture.PACKET_INTERVAL_NANOS;
        int length = RtpFixture.PACKET_LENGTH;
        int count = forwarder.route(ingress, false, packet, 0, length, source, now);
        for (int i = 0; i < count; i++) {
            Termination to = forwarder.target(i);
            UnsafeBuffer out = packet;
            if (i < count - 1) {
                scratch.putBytes(0, packet, 0, length);
                out = scratch;
            }
            if (forwarder.rewrite(ingress, to, out, 0, length, now)) {
                batch.add(to, forwarder.destination(i), length);
            }
        }
        if (bh != null) {
            batch.endDatagram(bh);
        }
        return count;
    }
}
