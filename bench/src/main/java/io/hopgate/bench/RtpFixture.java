package io.hopgate.bench;

import io.hopgate.rtp.RtpHeader;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/** Shared set-up for the benchmarks: a G.711 packet in a direct or heap buffer, and loopback peer addresses. */
final class RtpFixture {
    /** 12-byte RTP header + 160 bytes of PCMU (20 ms at 8 kHz). */
    static final int PACKET_LENGTH = 172;
    static final int PAYLOAD_LENGTH = 160;
    static final int TIMESTAMP_STEP = 160;
    /** 20 ms between packets, so the jitter arithmetic sees a steady stream. */
    static final long PACKET_INTERVAL_NANOS = 20_000_000L;

    private RtpFixture() {
    }

    /** A buffer of {@code kind} ("direct" or "heap") holding one PCMU packet with the given SSRC. */
    static UnsafeBuffer packet(String kind, int ssrc) {
        UnsafeBuffer buffer = buffer(kind, PACKET_LENGTH);
        buffer.putByte(RtpHeader.FLAGS_OFFSET, (byte) 0x80); // V=2, no padding, extension or CSRCs
        buffer.putByte(RtpHeader.MARKER_PT_OFFSET, (byte) 0); // PT 0 = PCMU
        RtpHeader.sequence(buffer, 0, 1);
        RtpHeader.timestamp(buffer, 0, 0);
        RtpHeader.ssrc(buffer, 0, ssrc);
        buffer.setMemory(RtpHeader.MIN_LENGTH, PAYLOAD_LENGTH, (byte) 0xFF); // mu-law silence
        return buffer;
    }

    static UnsafeBuffer buffer(String kind, int length) {
        return switch (kind) {
            case "direct" -> new UnsafeBuffer(ByteBuffer.allocateDirect(length));
            case "heap" -> new UnsafeBuffer(new byte[length]);
            default -> throw new IllegalArgumentException("buffer kind " + kind + ": expected direct or heap");
        };
    }

    /**
     * A loopback address equal to, but not the same object as, what the termination was given: Netty hands the
     * forwarder a fresh sender address per datagram, so the source gate must run the full {@code equals}.
     */
    static InetSocketAddress loopback(int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
