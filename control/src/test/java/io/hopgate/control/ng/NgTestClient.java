package io.hopgate.control.ng;

import io.hopgate.control.ng.Bencode.Dict;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An ng client for tests, as a SIP proxy's rtpengine module is one: cookie, space, bencoded dictionary. */
final class NgTestClient implements AutoCloseable {
    private static final AtomicInteger COOKIES = new AtomicInteger();
    private final DatagramChannel channel;
    private final InetSocketAddress daemon;
    byte[] lastReply;

    NgTestClient(InetSocketAddress daemon) throws IOException {
        this.daemon = daemon;
        channel = DatagramChannel.open();
        channel.bind(new InetSocketAddress("127.0.0.1", 0));
        channel.socket().setSoTimeout(3000);
    }

    static String cookie() {
        return "t" + ProcessHandle.current().pid() + "_" + COOKIES.incrementAndGet();
    }

    Dict call(Dict request) throws Exception {
        return call(cookie(), request);
    }

    Dict call(String cookie, Dict request) throws Exception {
        byte[] body = Bencode.encode(request);
        byte[] head = (cookie + " ").getBytes(StandardCharsets.ISO_8859_1);
        byte[] datagram = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, datagram, head.length, body.length);
        return raw(cookie, datagram);
    }

    /** Sends {@code datagram} and returns the reply carrying {@code cookie}. */
    Dict raw(String cookie, byte[] datagram) throws Exception {
        channel.send(ByteBuffer.wrap(datagram), daemon);
        byte[] reply = receive(3000);
        if (reply == null) {
            throw new AssertionError("no ng reply within 3 s to " + new String(datagram, StandardCharsets.ISO_8859_1));
        }
        lastReply = reply;
        String text = new String(reply, StandardCharsets.ISO_8859_1);
        if (!text.startsWith(cookie + " ")) {
            throw new AssertionError("reply does not start with cookie " + cookie + ": " + text);
        }
        int at = cookie.length() + 1;
        return (Dict) Bencode.decode(reply, at, reply.length - at);
    }

    /** The next datagram, or null after {@code timeoutMs}. */
    byte[] receive(int timeoutMs) throws IOException {
        channel.socket().setSoTimeout(timeoutMs);
        byte[] buf = new byte[65_536];
        java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
        try {
            channel.socket().receive(p);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buf, p.getLength());
    }

    static String text(Dict d, String key) {
        Bencode.Value v = d.get(key);
        return v instanceof Bencode.Bytes b ? b.text() : null;
    }

    static int audioPort(String sdp) {
        Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(sdp);
        if (!m.find()) {
            throw new AssertionError("no m=audio in " + sdp);
        }
        return Integer.parseInt(m.group(1));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
