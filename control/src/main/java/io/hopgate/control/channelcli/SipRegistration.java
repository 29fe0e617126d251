package io.hopgate.control.channelcli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps one party's data channel registered with the call server's SIP registrar (RFC 3261 section 10, UDP): each
 * REGISTER names a contact whose host is the channel's host and whose {@code hopgate-channel} parameter is its port
 * (docs/architecture.md section 3.9), so a REGISTER with a new contact moves the channel.
 *
 * <p>A REGISTER is one non-INVITE client transaction and nothing else of SIP is needed here (the party takes no
 * calls), so this is SIP text on one socket rather than a JAIN-SIP stack: retransmitted from 500 ms, doubling up to
 * 4 s (RFC 3261 Timer E), until a final response or the timeout. All REGISTERs share one Call-ID and count CSeq up
 * (section 10.2.4). Calls are serialised; the socket is read only by the caller waiting for its answer.
 */
final class SipRegistration implements AutoCloseable {
    private static final Pattern CSEQ = Pattern.compile("(?im)^(?:CSeq)\\s*:\\s*(\\d+)\\s+REGISTER\\s*$");
    private static final Pattern CALL_ID = Pattern.compile("(?im)^(?:Call-ID|i)\\s*:\\s*(\\S+)\\s*$");
    private static final Pattern EXPIRES = Pattern.compile("(?im)^Expires\\s*:\\s*(\\d+)\\s*$");
    private static final Pattern CONTACT_EXPIRES = Pattern.compile("(?im)^(?:Contact|m)\\s*:.*;\\s*expires=(\\d+)");
    private static final long T1_MS = 500;
    private static final long T2_MS = 4_000;

    private final DatagramSocket socket;
    private final InetSocketAddress registrar;
    private final String aor;
    private final String callId = UUID.randomUUID() + "@hopgate-channel";
    private final String fromTag = UUID.randomUUID().toString().substring(0, 8);
    private int cseq;
    private String contact;
    private int registrations;

    /** Binds {@code local} (port 0: any) for REGISTERs of {@code aor} ({@code user@domain}) to {@code registrar}. */
    SipRegistration(InetSocketAddress local, InetSocketAddress registrar, String aor) throws IOException {
        this.socket = new DatagramSocket(local);
        this.registrar = registrar;
        this.aor = aor;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /**
     * Registers the channel at {@code channel} for {@code expiresS} seconds; returns the seconds the registrar
     * granted.
     *
     * @throws IOException when the registrar does not answer within {@code timeout} or refuses (its status line)
     */
    synchronized int register(InetSocketAddress channel, int expiresS, Duration timeout) throws IOException {
        String next = contactUri(channel);
        String answer = transact(next, expiresS, timeout);
        contact = next;
        registrations++;
        Matcher m = CONTACT_EXPIRES.matcher(answer);
        if (m.find()) {
            return Integer.parseInt(m.group(1));
        }
        m = EXPIRES.matcher(answer);
        return m.find() ? Integer.parseInt(m.group(1)) : expiresS;
    }

    /** Expires 0 for the contact last registered (RFC 3261 section 10.2.2); nothing when none was. */
    synchronized void unregister(Duration timeout) throws IOException {
        if (contact != null) {
            transact(contact, 0, timeout);
            contact = null;
        }
    }

    /** REGISTERs answered with 200 so far. */
    synchronized int registrations() {
        return registrations;
    }

    private String contactUri(InetSocketAddress channel) {
        String host = channel.getAddress() instanceof Inet6Address
            ? "[" + channel.getAddress().getHostAddress() + "]" : channel.getAddress().getHostAddress();
        return "sip:" + aor.substring(0, aor.indexOf('@')) + "@" + host + ":" + socket.getLocalPort()
            + ";hopgate-channel=" + channel.getPort();
    }

    /** One transaction: the final response's text when it is a 2xx. */
    private String transact(String contactUri, int expiresS, Duration timeout) throws IOException {
        int number = ++cseq;
        byte[] request = request(contactUri, expiresS, number).getBytes(StandardCharsets.UTF_8);
        DatagramPacket out = new DatagramPacket(request, request.length, registrar);
        long deadline = System.nanoTime() + timeout.toNanos();
        long interval = T1_MS;
        long resendAt = 0;
        byte[] buffer = new byte[65_535];
        while (true) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                throw new IOException("no answer from the registrar " + format(registrar) + " within "
                    + timeout.toMillis() + " ms (is the call server running with callserver.sip.listen there?)");
            }
            if (now - resendAt >= 0) {
                socket.send(out);
                resendAt = now + TimeUnit.MILLISECONDS.toNanos(interval);
                interval = Math.min(interval * 2, T2_MS);
            }
            long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(resendAt, deadline) - now));
            socket.setSoTimeout((int) Math.min(waitMs, Integer.MAX_VALUE));
            DatagramPacket in = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(in);
            } catch (SocketTimeoutException e) {
                continue;
            }
            String text = new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            int status = status(text, number);
            if (status >= 200 && status < 300) {
                return text;
            } else if (status >= 300) {
                throw new IOException("the registrar " + format(registrar) + " refused REGISTER " + aor + ": "
                    + text.lines().findFirst().orElse("?"));
            }
        }
    }

    /** The status of a response to our REGISTER number {@code number}; 0 for anything else (ignored). */
    private int status(String text, int number) {
        if (!text.startsWith("SIP/2.0 ")) {
            return 0;
        }
        Matcher c = CSEQ.matcher(text);
        Matcher id = CALL_ID.matcher(text);
        if (!c.find() || Integer.parseInt(c.group(1)) != number || !id.find() || !callId.equals(id.group(1))) {
            return 0;
        }
        try {
            return Integer.parseInt(text.substring(8, 11));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return 0;
        }
    }

    private String request(String contactUri, int expiresS, int number) {
        InetSocketAddress local = localAddress();
        String domain = aor.substring(aor.indexOf('@') + 1);
        String branch = "z9hG4bK-" + UUID.randomUUID().toString().substring(0, 12).toLowerCase(Locale.ROOT);
        return "REGISTER sip:" + domain + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP " + format(local) + ";branch=" + branch + "\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:" + aor + ">;tag=" + fromTag + "\r\n"
            + "To: <sip:" + aor + ">\r\n"
            + "Call-ID: " + callId + "\r\n"
            + "CSeq: " + number + " REGISTER\r\n"
            + "Contact: <" + contactUri + ">\r\n"
            + "Expires: " + expiresS + "\r\n"
            + "User-Agent: hopgate-channel\r\n"
            + "Content-Length: 0\r\n\r\n";
    }

    private static String format(InetSocketAddress a) {
        String host = a.getAddress() instanceof Inet6Address ? "[" + a.getAddress().getHostAddress() + "]"
            : a.getAddress().getHostAddress();
        return host + ":" + a.getPort();
    }

    @Override
    public void close() {
        socket.close();
    }
}
