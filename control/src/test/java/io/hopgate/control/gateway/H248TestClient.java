package io.hopgate.control.gateway;

import io.hopgate.control.h248.ActionReply;
import io.hopgate.control.h248.CommandReply;
import io.hopgate.control.h248.Message;
import io.hopgate.control.h248.MessageParser;
import io.hopgate.control.h248.StatisticsDescriptor;
import io.hopgate.control.h248.Transaction;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.rtp.sdp.SessionDescription;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A minimal MGC for tests: sends H.248 text over UDP and returns the parsed reply, waiting with a deadline. */
final class H248TestClient implements AutoCloseable {
    private final DatagramSocket socket;
    private final InetSocketAddress gateway;
    private long nextId = 1000;
    String lastRaw;

    H248TestClient(InetSocketAddress gateway) throws IOException {
        this(gateway, InetAddress.getLoopbackAddress());
    }

    /** A client whose socket is bound to {@code from} (a loopback address such as 127.0.0.2). */
    H248TestClient(InetSocketAddress gateway, InetAddress from) throws IOException {
        this.gateway = gateway;
        this.socket = new DatagramSocket(0, from);
        socket.setSoTimeout(5000);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    long nextId() {
        return nextId++;
    }

    /** Wraps {@code body} (the contents of one transaction) in a message with a fresh transaction id. */
    TransactionReply transaction(String body) throws IOException {
        return transaction(nextId(), body);
    }

    TransactionReply transaction(long id, String body) throws IOException {
        Message m = exchange("MEGACO/1 [127.0.0.1]:" + address().getPort() + "\nTransaction = " + id + " {\n" + body
            + "\n}\n");
        for (Transaction t : m.transactions()) {
            if (t instanceof TransactionReply r && r.id() == id) {
                return r;
            }
        }
        throw new AssertionError("no reply to " + id + " in " + lastRaw);
    }

    /** Sends raw text and returns the first reply that is not a TransactionPending. */
    Message exchange(String text) throws IOException {
        send(text);
        while (true) {
            Message m = MessageParser.parse(receive());
            boolean pendingOnly = !m.transactions().isEmpty()
                && m.transactions().stream().allMatch(t -> t instanceof io.hopgate.control.h248.TransactionPending);
            if (!pendingOnly) {
                return m;
            }
        }
    }

    void send(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, gateway));
    }

    void sendBytes(byte[] b) throws IOException {
        socket.send(new DatagramPacket(b, b.length, gateway));
    }

    String receive() throws IOException {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
            socket.receive(p);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no H.248 reply within 5 s");
        }
        lastRaw = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
        return lastRaw;
    }

    static String add(String mode, int remotePort) {
        return "Add = $ { Media { Stream = 1 { LocalControl { Mode = " + mode + " },\n"
            + "Local { v=0\nc=IN IP4 $\nm=audio $ RTP/AVP 0 },\n"
            + "Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio " + remotePort + " RTP/AVP 0 } } } }";
    }

    static String modify(String term, String mode) {
        return "Modify = " + term + " { Media { Stream = 1 { LocalControl { Mode = " + mode + " } } } }";
    }

    static String modifyRemote(String term, int remotePort) {
        return "Modify = " + term + " { Media { Stream = 1 { Remote { v=0\nc=IN IP4 127.0.0.1\nm=audio "
            + remotePort + " RTP/AVP 0 } } } }";
    }

    /** Termination ids of a reply's commands, in order. */
    static List<String> terminations(TransactionReply reply) {
        List<String> out = new ArrayList<>();
        for (ActionReply a : reply.actions()) {
            for (CommandReply c : a.commands()) {
                out.add(c.terminationId().text());
            }
        }
        return out;
    }

    static long context(TransactionReply reply) {
        return reply.actions().get(0).contextId().value();
    }

    /** The Local SDP port of the i-th command reply. */
    static int localPort(TransactionReply reply, int index) throws Exception {
        List<CommandReply> all = new ArrayList<>();
        reply.actions().forEach(a -> all.addAll(a.commands()));
        String sdp = all.get(index).descriptor(io.hopgate.control.h248.MediaDescriptor.class).stream(1).localSdp();
        return SessionDescription.parse(sdp).port();
    }

    static StatisticsDescriptor statistics(TransactionReply reply, int index) {
        List<CommandReply> all = new ArrayList<>();
        reply.actions().forEach(a -> all.addAll(a.commands()));
        return all.get(index).descriptor(StatisticsDescriptor.class);
    }

    /** The error code of the reply (transaction or action level), or 0. */
    static int errorCode(TransactionReply reply) {
        if (reply.error() != null) {
            return reply.error().code();
        }
        for (ActionReply a : reply.actions()) {
            if (a.error() != null) {
                return a.error().code();
            }
            for (CommandReply c : a.commands()) {
                if (c.error() != null) {
                    return c.error().code();
                }
            }
        }
        return 0;
    }

    static String errorText(TransactionReply reply) {
        if (reply.error() != null) {
            return reply.error().text();
        }
        for (ActionReply a : reply.actions()) {
            if (a.error() != null) {
                return a.error().text();
            }
        }
        return "";
    }

    @Override
    public void close() {
        socket.close();
    }
}
