package io.hopgate.control.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A deliberately plain SIP user agent for tests: SIP text over one loopback UDP socket, no stack, so the
 * server is checked against what is on the wire rather than against a second copy of JAIN-SIP.
 * Dialog state is the minimum RFC 3261 12 needs: Call-ID, both tags, the remote target and a CSeq.
 */
final class TestUa implements AutoCloseable {
    private static final AtomicInteger BRANCH = new AtomicInteger();

    final String aor;
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final BlockingQueue<Msg> inbox = new LinkedBlockingQueue<>();
    private final List<Msg> unclaimed = new ArrayList<>();
    private final Thread reader;
    private int cseq = 1;

    TestUa(String aor, InetSocketAddress server) throws SocketException {
        this.aor = aor;
        this.server = server;
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.reader = new Thread(this::read, "ua-" + aor);
        reader.setDaemon(true);
        reader.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    String contactUri() {
        return "sip:" + aor.substring(0, aor.indexOf('@')) + "@127.0.0.1:" + port();
    }

    private void read() {
        byte[] buf = new byte[65_536];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return;
            }
            inbox.add(Msg.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)));
        }
    }

    /** A parsed SIP message; header names are kept in lower case, the first value of each wins. */
    record Msg(String startLine, Map<String, List<String>> headers, String body) {
        static Msg parse(String text) {
            int split = text.indexOf("\r\n\r\n");
            String head = split < 0 ? text : text.substring(0, split);
            String body = split < 0 ? "" : text.substring(split + 4);
            String[] lines = head.split("\r\n");
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                String name = canonical(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT));
                headers.computeIfAbsent(name, k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
            return new Msg(lines[0], headers, body);
        }

        private static String canonical(String name) {
            return switch (name) {
                case "v" -> "via";
                case "f" -> "from";
                case "t" -> "to";
                case "i" -> "call-id";
                case "m" -> "contact";
                case "c" -> "content-type";
                case "l" -> "content-length";
                default -> name;
            };
        }

        boolean isRequest() {
            return !startLine.startsWith("SIP/2.0");
        }

        String method() {
            return isRequest() ? startLine.substring(0, startLine.indexOf(' ')) : cseqMethod();
        }

        int status() {
            return isRequest() ? 0 : Integer.parseInt(startLine.split(" ")[1]);
        }

        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        String cseqMethod() {
            return header("cseq").split("\\s+")[1];
        }

        String callId() {
            return header("call-id");
        }

        static String tag(String fromOrTo) {
            int i = fromOrTo.indexOf(";tag=");
            if (i < 0) {
                return null;
            }
            String t = fromOrTo.substring(i + 5);
            int end = t.indexOf(';');
            return end < 0 ? t : t.substring(0, end);
        }

        /** The URI inside a Contact header value. */
        static String uri(String contact) {
            int lt = contact.indexOf('<');
            return lt < 0 ? contact.split(";")[0] : contact.substring(lt + 1, contact.indexOf('>'));
        }

        @Override
        public String toString() {
            return startLine + " " + headers;
        }
    }

    /** What a UA remembers about one dialog. */
    static final class Dialog {
        final String callId;
        final String localTag;
        String remoteTag;
        String remoteTarget;
        final String localUri;
        final String remoteUri;
        int cseq;
        /** The Via of the request that created the dialog, for CANCEL (RFC 3261 9.1). */
        String firstVia;

        Dialog(String callId, String localTag, String remoteTag, String remoteTarget, String localUri,
               String remoteUri, int cseq) {
            this.callId = callId;
            this.localTag = localTag;
            this.remoteTag = remoteTag;
            this.remoteTarget = remoteTarget;
            this.localUri = localUri;
            this.remoteUri = remoteUri;
            this.cseq = cseq;
        }
    }

    void send(String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(b, b.length, server));
    }

    private String via() {
        return "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK-ua" + BRANCH.incrementAndGet() + "\r\n";
    }

    private static String withBody(String head, String body) {
        if (body == null || body.isEmpty()) {
            return head + "Content-Length: 0\r\n\r\n";
        }
        return head + "Content-Type: application/sdp\r\nContent-Length: "
            + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** Sends REGISTER for this UA's AOR and returns the final response. */
    Msg register(int expires, Duration timeout) throws IOException, InterruptedException {
        return register(expires, contactUri(), timeout);
    }

    /** REGISTER naming another contact (a binding made on behalf of a UA that cannot register itself). */
    Msg register(int expires, String contact, Duration timeout) throws IOException, InterruptedException {
        String callId = "reg-" + aor + "-" + cseq;
        send(withBody("REGISTER sip:example.com SIP/2.0\r\n" + via() + "Max-Forwards: 70\r\n"
            + "From: <sip:" + aor + ">;tag=r" + port() + "\r\nTo: <sip:" + aor + ">\r\nCall-ID: " + callId + "\r\n"
            + "CSeq: " + (cseq++) + " REGISTER\r\nContact: <" + contact + ">\r\nExpires: " + expires + "\r\n",
            null));
        return next(m -> !m.isRequest() && callId.equals(m.callId()) && m.status() >= 200, timeout);
    }

    /** Sends an out-of-dialog request (OPTIONS, INVITE) and returns a dialog seed for it. */
    Dialog request(String method, String targetAor, String body) throws IOException {
        String callId = method.toLowerCase(Locale.ROOT) + "-" + port() + "-" + BRANCH.incrementAndGet()
            + "@127.0.0.1";
        Dialog d = new Dialog(callId, "t" + port(), null, null, "sip:" + aor, "sip:" + targetAor, cseq++);
        d.firstVia = via();
        send(withBody(method + " sip:" + targetAor + " SIP/2.0\r\n" + d.firstVia + "Max-Forwards: 70\r\n"
            + "From: <" + d.localUri + ">;tag=" + d.localTag + "\r\nTo: <" + d.remoteUri + ">\r\nCall-ID: " + callId
            + "\r\nCSeq: " + d.cseq + " " + method + "\r\nContact: <" + contactUri() + ">\r\n", body));
        return d;
    }

    /** Sends a request inside {@code d} with the next CSeq (re-INVITE, BYE). */
    void inDialog(Dialog d, String method, String body) throws IOException {
        d.cseq++;
        sendInDialog(d, method, d.cseq, body);
    }

    /** CANCEL of the INVITE that created {@code d}: same branch, Call-ID, From, To and CSeq number. */
    void cancel(Dialog d) throws IOException {
        send(withBody("CANCEL " + d.remoteUri + " SIP/2.0\r\n" + d.firstVia + "Max-Forwards: 70\r\n"
            + "From: <" + d.localUri + ">;tag=" + d.localTag + "\r\nTo: <" + d.remoteUri + ">\r\nCall-ID: "
            + d.callId + "\r\nCSeq: " + d.cseq + " CANCEL\r\n", null));
    }

    /** ACK for a 2xx: its own transaction, the INVITE's CSeq number (RFC 3261 13.2.2.4). */
    void ack(Dialog d, int inviteCseq) throws IOException {
        sendInDialog(d, "ACK", inviteCseq, null);
    }

    private void sendInDialog(Dialog d, String method, int cseqNumber, String body) throws IOException {
        String target = d.remoteTarget != null ? d.remoteTarget : d.remoteUri;
        send(withBody(method + " " + target + " SIP/2.0\r\n" + via() + "Max-Forwards: 70\r\n"
            + "From: <" + d.localUri + ">;tag=" + d.localTag + "\r\nTo: <" + d.remoteUri + ">"
            + (d.remoteTag == null ? "" : ";tag=" + d.remoteTag) + "\r\nCall-ID: " + d.callId + "\r\nCSeq: "
            + cseqNumber + " " + method + "\r\nContact: <" + contactUri() + ">\r\n", body));
    }

    /** Completes the dialog state from a response to our request that created it. */
    static void established(Dialog d, Msg response) {
        d.remoteTag = Msg.tag(response.header("to"));
        if (response.header("contact") != null) {
            d.remoteTarget = Msg.uri(response.header("contact"));
        }
    }

    /** Answers {@code request}; for a dialog-creating request, {@code toTag} is added to To. */
    void reply(Msg request, int status, String reason, String toTag, String body) throws IOException {
        StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
        for (String via : request.headers().get("via")) {
            b.append("Via: ").append(via).append("\r\n");
        }
        String to = request.header("to");
        if (toTag != null && Msg.tag(to) == null) {
            to = to + ";tag=" + toTag;
        }
        b.append("From: ").append(request.header("from")).append("\r\nTo: ").append(to).append("\r\nCall-ID: ")
            .append(request.callId()).append("\r\nCSeq: ").append(request.header("cseq")).append("\r\n")
            .append("Contact: <").append(contactUri()).append(">\r\n");
        send(withBody(b.toString(), body));
    }

    /** A dialog seen from the callee's side, from the INVITE it received. */
    Dialog dialogFrom(Msg invite, String localTag) {
        return new Dialog(invite.callId(), localTag, Msg.tag(invite.header("from")),
            Msg.uri(invite.header("contact")), Msg.uri(invite.header("to")), Msg.uri(invite.header("from")), 1);
    }

    /** The first message (received or waiting) that {@code what} accepts, or an AssertionError at the deadline. */
    Msg next(Predicate<Msg> what, Duration timeout) throws InterruptedException {
        Msg m = poll(what, timeout);
        if (m == null) {
            throw new AssertionError(aor + ": no matching SIP message within " + timeout.toMillis() + " ms; seen "
                + unclaimed);
        }
        return m;
    }

    /** Like {@link #next} but null at the deadline. */
    Msg poll(Predicate<Msg> what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Iterator<Msg> it = unclaimed.iterator(); it.hasNext(); ) {
            Msg m = it.next();
            if (what.test(m)) {
                it.remove();
                return m;
            }
        }
        while (true) {
            long left = deadline - System.nanoTime();
            Msg m = left <= 0 ? inbox.poll() : inbox.poll(left, TimeUnit.NANOSECONDS);
            if (m == null) {
                return null;
            }
            if (what.test(m)) {
                return m;
            }
            unclaimed.add(m);
        }
    }

    static Predicate<Msg> response(String method, int status) {
        return m -> !m.isRequest() && m.method().equals(method) && m.status() == status;
    }

    static Predicate<Msg> finalResponse(String method) {
        return m -> !m.isRequest() && m.method().equals(method) && m.status() >= 200;
    }

    static Predicate<Msg> request(String method) {
        return m -> m.isRequest() && m.method().equals(method);
    }

    static String sdp(String user, int port) {
        return "v=0\r\no=" + user + " 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            + "m=audio " + port + " RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    }

    @Override
    public void close() {
        socket.close();
    }
}
