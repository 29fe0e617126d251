package io.hopgate.bench;

import io.hopgate.media.Egress;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import io.hopgate.media.PacketForwarder;
import io.hopgate.media.StreamMode;
import io.hopgate.media.Termination;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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
 * The per-packet path of one I/O loop without the syscalls: the whole forwarding rule,
 * {@link PacketForwarder#forward} (classify + gate, a copy per extra target, egress rewrite per target, move-hold
 * check), handing each datagram to an {@link Egress} that releases it as the socket's write would, for one
 * 172-byte PCMU packet arriving on termination 1 of a context with 2 (unicast) or 3 (bicast) terminations. The
 * datagram is a pooled Netty buffer, direct (as the epoll transport reads) or heap; a bicast's copy comes from the
 * same pool, as on the loop.
 *
 * <p>Sequence and timestamp advance per packet and the clock advances 20 ms per packet, so reception statistics and
 * the rewriter follow a steady stream, not a duplicate. {@code System.nanoTime()} (once per datagram in IoLoop) is
 * left out: see {@link ClockBenchmark}.
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
    private ByteBuf datagram;
    private InetSocketAddress source;
    private int sequence;
    private int timestamp;
    private long nowNanos;
    private int sent;
    private Blackhole sink;
    /** What the socket's write does with a datagram here: consume it and give its reference back. */
    private final Egress egress = (to, rtcpPort, out, destination) -> {
        sent++;
        if (sink != null) {
            sink.consume(destination);
        }
        out.release();
    };

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
        UnsafeBuffer packet = RtpFixture.packet("heap", 0x1234_5678);
        datagram = "direct".equals(buffer) ? PooledByteBufAllocator.DEFAULT.directBuffer(RtpFixture.PACKET_LENGTH)
            : PooledByteBufAllocator.DEFAULT.heapBuffer(RtpFixture.PACKET_LENGTH);
        datagram.writeBytes(packet.byteArray(), 0, RtpFixture.PACKET_LENGTH);
        source = RtpFixture.loopback(PEER_PORT);
        nowNanos = System.nanoTime();
        // One packet so that the rewriters have their source and the hot loop measures the steady state.
        forward(null);
        if (sent != terminations - 1 || datagram.refCnt() != 1) {
            throw new IllegalStateException("forward sent " + sent + " datagrams, expected " + (terminations - 1)
                + "; refCnt " + datagram.refCnt());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        datagram.release();
        plane.close();
    }

    @Benchmark
    public int forward(Blackhole bh) {
        sink = bh;
        // What the peer changes per packet; the rest of the datagram is as it arrived.
        datagram.setShort(2, ++sequence);
        datagram.setInt(4, timestamp += RtpFixture.TIMESTAMP_STEP);
        forwarder.forward(ingress, false, datagram, source, nowNanos += RtpFixture.PACKET_INTERVAL_NANOS, egress);
        return sent;
    }
}
