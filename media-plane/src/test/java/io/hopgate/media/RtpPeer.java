package io.hopgate.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

/**
 * A far end for tests: one UDP socket on loopback that sends RTP packets with a chosen SSRC, sequence and timestamp,
 * and receives what the gateway forwards. Every receive has a deadline.
 */
public final class RtpPeer implements AutoCloseable {
    private final DatagramChannel channel;
    private final InetSocketAddress address;
    private int ssrc;
    private int sequence;
    private int timestamp;

    public RtpPeer(int ssrc) throws IOException {
        this(ssrc, 0);
    }

    public RtpPeer(int ssrc, int port) throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        channel.socket().setSoTimeout(2000);
        address = (InetSocketAddress) channel.getLocalAddress();
        this.ssrc = ssrc;
        this.sequence = 1000;
        this.timestamp = 160_000;
    }

    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    public void ssrc(int newSsrc) {
        ssrc = newSsrc;
    }

    public void sequence(int next) {
        sequence = next;
    }

    /** Sends one 172-byte G.711 packet (PT 0, 160 bytes of payload whose first 4 bytes carry {@code tag}). */
    public void send(InetSocketAddress to, int tag) throws IOException {
        ByteBuffer b = packet(ssrc, sequence, timestamp, tag);
        sequence = (sequence + 1) & 0xFFFF;
        timestamp += 160;
        channel.send(b, to);
    }

    public void sendRaw(InetSocketAddress to, byte[] bytes) throws IOException {
        channel.send(ByteBuffer.wrap(bytes), to);
    }

    public static ByteBuffer packet(int ssrc, int seq, int ts, int tag) {
        ByteBuffer b = ByteBuffer.allocate(172);
        b.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(ts).putInt(ssrc).putInt(tag);
        b.position(172).flip();
        return b;
    }

    /** A received datagram with its RTP fields decoded. */
    public record Received(int ssrc, int sequence, int timestamp, int tag, int length, SocketAddress from,
                           long atNanos) {
    }

    /** Waits up to {@code timeout} for one datagram; returns null when none came. */
    public Received receive(Duration timeout) throws IOException {
        channel.socket().setSoTimeout((int) Math.max(1, timeout.toMillis()));
        byte[] buf = new byte[2048];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        try {
            channel.socket().receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(buf, 0, p.getLength());
        int seq = p.getLength() >= 4 ? b.getShort(2) & 0xFFFF : -1;
        int ts = p.getLength() >= 8 ? b.getInt(4) : 0;
        int s = p.getLength() >= 12 ? b.getInt(8) : 0;
        int tag = p.getLength() >= 16 ? b.getInt(12) : 0;
        return new Received(s, seq, ts, tag, p.getLength(), p.getSocketAddress(), System.nanoTime());
    }

    /** Receives until {@code quiet} passes with nothing arriving; returns how many came. */
    public int drain(Duration quiet) throws IOException {
        int n = 0;
        while (receive(quiet) != null) {
            n++;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
