package io.hopgate.control.interop;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A minimal classic pcap writer (LINKTYPE_ETHERNET, microsecond timestamps): each datagram becomes an
 * Ethernet II / IPv4 / UDP frame with a correct IPv4 header checksum and no UDP checksum (0 = none).
 */
final class Pcap {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long micros = 1_700_000_000_000_000L;
    private int ipId = 1;

    Pcap() {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(h.array());
    }

    /** Appends one UDP datagram; timestamps advance by 1 ms a frame. */
    Pcap udp(Inet4Address src, int srcPort, Inet4Address dst, int dstPort, byte[] payload) {
        int udpLength = 8 + payload.length;
        int ipLength = 20 + udpLength;
        ByteBuffer f = ByteBuffer.allocate(14 + ipLength); // network byte order
        f.put(new byte[] {0x02, 0, 0, 0, 0, 2}).put(new byte[] {0x02, 0, 0, 0, 0, 1}).putShort((short) 0x0800);
        int ipStart = f.position();
        f.put((byte) 0x45).put((byte) 0).putShort((short) ipLength).putShort((short) ipId++).putShort((short) 0x4000)
            .put((byte) 64).put((byte) 17).putShort((short) 0).put(src.getAddress()).put(dst.getAddress());
        f.putShort(ipStart + 10, (short) checksum(f.array(), ipStart, 20));
        f.putShort((short) srcPort).putShort((short) dstPort).putShort((short) udpLength).putShort((short) 0);
        f.put(payload);

        ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        r.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000)).putInt(f.capacity())
            .putInt(f.capacity());
        micros += 1000;
        out.writeBytes(r.array());
        out.writeBytes(f.array());
        return this;
    }

    void write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
    }

    private static int checksum(byte[] b, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i += 2) {
            sum += ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return ~sum & 0xFFFF;
    }
}
