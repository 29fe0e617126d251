package io.hopgate.control.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * One UDP RTP endpoint of the demo (the far party, or one radio leg of the mobile). Sends 172-byte PCMU-sized packets
 * with its own SSRC and sequence; the payload starts with a 4-byte tag (the sender's tick number) and a 1-byte leg id
 * so a receiver can tell which packet of which sender it got, whatever the gateway rewrote in the header.
 * Every received packet is recorded.
 */
public final class RtpEndpoint implements AutoCloseable {
    public static final int PACKET_BYTES = 172;

    /** One received packet: when, header fields as received, and the sender's tag and leg id from the payload. */
    public record Rx(long nanos, int ssrc, int seq, int tag, int leg) {
    }

    private final String name;
    private final int leg;
    private final int ssrc;
    private final DatagramChannel channel;
    private final Thread receiver;
    private final List<Rx> received = new ArrayList<>();
    private final ByteBuffer out = ByteBuffer.allocate(PACKET_BYTES);
    private int seq;
    private volatile boolean closed;

    public RtpEndpoint(String name, int leg, int ssrc) throws IOException {
        this(name, leg, ssrc, 0);
    }

    /** @param port the local port to bind (demo.leg-port-base + leg); 0 = ephemeral */
    public RtpEndpoint(String name, int leg, int ssrc, int port) throws IOException {
        this.name = name;
        this.leg = leg;
        this.ssrc = ssrc;
        this.seq = (ssrc * 7919) & 0xFFFF;
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
        try {
            channel.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot bind demo leg " + name + " on 127.0.0.1:" + port
                + " (demo.leg-port-base): " + e.getMessage(), e);
        }
        receiver = new Thread(this::receiveLoop, "rtp-" + name);
        receiver.setDaemon(true);
        receiver.start();
    }

    public String name() {
        return name;
    }

    public int leg() {
        return leg;
    }

    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends one packet with tick {@code tag} to {@code to}; called from one sending thread only. */
    public void send(InetSocketAddress to, int tag) {
        out.clear();
        out.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(tag * 160).putInt(ssrc);
        out.putInt(tag).put((byte) leg);
        while (out.position() < PACKET_BYTES) {
            out.put((byte) 0xFF);
        }
        out.flip();
        seq = (seq + 1) & 0xFFFF;
        try {
            channel.send(out, to);
        } catch (IOException e) {
            if (!closed) {
                throw new IllegalStateException(name + " cannot send to " + to + ": " + e.getMessage(), e);
            }
        }
    }

    private void receiveLoop() {
        ByteBuffer in = ByteBuffer.allocate(2048);
        while (!closed) {
            in.clear();
            try {
                channel.receive(in);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            long now = System.nanoTime();
            in.flip();
            if (in.remaining() < 17) {
                continue;
            }
            int rxSeq = in.getShort(2) & 0xFFFF;
            int rxSsrc = in.getInt(8);
            int tag = in.getInt(12);
            int rxLeg = in.get(16);
            synchronized (received) {
                received.add(new Rx(now, rxSsrc, rxSeq, tag, rxLeg));
            }
        }
    }

    /** A copy of everything received so far, in arrival order. */
    public List<Rx> received() {
        synchronized (received) {
            return new ArrayList<>(received);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
    }
}
