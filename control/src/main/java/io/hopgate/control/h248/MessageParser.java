package io.hopgate.control.h248;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses one H.248 text message (RFC 3525 Annex B; pretty or compact, long or short tokens, any
 * case) into the typed {@link Message}. Stateless and thread-safe: use {@link #parse(String)}.
 *
 * <p>Two passes: {@link TextReader} builds the generic tree (bounded in size and depth), then this
 * class decodes the header and the transactions, {@link ActionDecoder} the actions and commands and
 * {@link DescriptorDecoder} the descriptors. Descriptors and properties it does not model are kept as
 * {@link GenericDescriptor}s so the caller can reject them with an error. The only exception that
 * leaves {@code parse} is {@link MegacoSyntaxException} (error 400) with the position.
 */
public final class MessageParser {
    /** Largest message accepted, in bytes (datagram) or characters (text). */
    public static final int MAX_MESSAGE_LENGTH = 65_536;

    private MessageParser() {
    }

    /** Parses the first {@code length} bytes of a datagram (UTF-8; US-ASCII is a subset). */
    public static Message parse(byte[] datagram, int length) {
        if (length < 0 || length > datagram.length) {
            throw new MegacoSyntaxException("datagram length " + length + " outside buffer of " + datagram.length
                    + " bytes", 0, 1, 1);
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw new MegacoSyntaxException("message of " + length + " bytes exceeds the limit of "
                    + MAX_MESSAGE_LENGTH + " bytes", MAX_MESSAGE_LENGTH, 1, 1);
        }
        return parse(new String(datagram, 0, length, StandardCharsets.UTF_8));
    }

    public static Message parse(String text) {
        if (text == null) {
            throw new MegacoSyntaxException("no message text", 0, 1, 1);
        }
        if (text.length() > MAX_MESSAGE_LENGTH) {
            throw new MegacoSyntaxException("message of " + text.length() + " characters exceeds the limit of "
                    + MAX_MESSAGE_LENGTH, MAX_MESSAGE_LENGTH, 1, 1);
        }
        try {
            return new Decoder(new TextReader(text)).message();
        } catch (MegacoSyntaxException e) {
            throw e;
        } catch (RuntimeException e) {
            // a record constructor rejected a value the checks above let through: still a syntax error
            throw new MegacoSyntaxException("invalid value: " + e.getMessage(), 0, 1, 1);
        }
    }

    private static final class Decoder extends NodeDecoder {
        private final DescriptorDecoder descriptors;
        private final ActionDecoder actions;

        Decoder(TextReader in) {
            super(in);
            this.descriptors = new DescriptorDecoder(in);
            this.actions = new ActionDecoder(in, descriptors);
        }

        Message message() {
            in.ws();
            int start = in.position();
            String header = in.word();
            if (Tokens.is(header, "Authentication")) {
                // AU = spi:seq:ad (RFC 3525 B.2 authenticationHeader): read and dropped, no security here
                in.ws();
                if (in.peek() != '=') {
                    throw in.fail("'=' after Authentication");
                }
                in.skip(1);
                in.ws();
                if (in.word().isEmpty()) {
                    throw in.fail("the authentication header value");
                }
                in.ws();
                start = in.position();
                header = in.word();
            }
            int slash = header.indexOf('/');
            String prefix = slash < 0 ? header : header.substring(0, slash);
            if (slash < 0 || !(prefix.equalsIgnoreCase("MEGACO") || prefix.equals("!"))) {
                throw in.fail("the message header MEGACO/<version> or !/<version>", start);
            }
            String v = header.substring(slash + 1);
            if (v.isEmpty() || v.length() > 2 || !digits(v) || Integer.parseInt(v) == 0) {
                throw in.fail("a version number 1..99 after '" + prefix + "/'", start + slash + 1);
            }
            int version = Integer.parseInt(v);
            if (!in.ws()) {
                throw in.fail("whitespace and the mId after the header");
            }
            String mid;
            List<TextNode> body;
            try {
                mid = mid();
                body = in.items(0);
            } catch (MegacoSyntaxException e) {
                long id = readableRequestId(in.topName(), in.topValue());
                throw id < 0 ? e.inVersion(version) : e.inTransaction(id, version);
            }
            if (body.isEmpty()) {
                throw in.fail("a transaction or an Error descriptor");
            }
            List<Transaction> txns = new ArrayList<>();
            ErrorDescriptor error = null;
            for (TextNode t : body) {
                String key = t.key();
                switch (key == null ? "" : key) {
                    case "Transaction" -> {
                        long id = txnId(t);
                        try {
                            txns.add(request(t));
                        } catch (MegacoSyntaxException e) {
                            throw e.inTransaction(id, version);
                        }
                    }
                    case "Reply" -> txns.add(reply(t));
                    case "Pending" -> txns.add(new TransactionPending(txnId(t)));
                    case "TransactionResponseAck" -> txns.add(ack(t));
                    case "Error" -> {
                        if (error != null) {
                            throw fail("one message-level Error descriptor", t);
                        }
                        error = descriptors.error(t);
                    }
                    default -> throw fail("Transaction, Reply, Pending, TransactionResponseAck or Error", t);
                }
            }
            return new Message(version, mid, txns, error);
        }

        /** The id of a {@code Transaction = id} header, or -1 when the item is not one or the id is unreadable. */
        private static long readableRequestId(String name, String value) {
            if (name == null || !Tokens.is(name, "Transaction") || value == null || !digits(value)
                    || value.length() > 10 || Long.parseLong(value) > TransactionIds.MAX) {
                return -1;
            }
            return Long.parseLong(value);
        }

        /** mId (RFC 3525 B.2): [IPv4/IPv6][:port], <domain>[:port], mtp{...}, or a device name. */
        private String mid() {
            int start = in.position();
            char c = in.peek();
            StringBuilder sb = new StringBuilder();
            if (c == '[' || c == '<') {
                char close = c == '[' ? ']' : '>';
                in.skip(1);
                String inner = in.upTo(close, "the mId address");
                if (inner.isEmpty() || inner.length() > 255 || !midChars(inner)) {
                    throw in.fail("an address in the mId", start);
                }
                sb.append(c).append(inner).append(close);
                if (in.peek() == ':') {
                    in.skip(1);
                    int p = in.position();
                    String port = in.word();
                    if (port.isEmpty() || port.length() > 5 || !digits(port) || Integer.parseInt(port) > 65535) {
                        throw in.fail("a port number 0..65535 in the mId", p);
                    }
                    sb.append(':').append(port);
                }
                return sb.toString();
            }
            String w = in.word();
            if (w.equalsIgnoreCase("mtp")) {
                in.ws();
                if (in.peek() != '{') {
                    throw in.fail("'{' after mtp in the mId");
                }
                in.skip(1);
                String pc = in.upTo('}', "the mtp address");
                if (pc.isEmpty() || pc.length() > 16 || !digits(pc.toLowerCase(Locale.ROOT).replaceAll("[a-f]", "0"))) {
                    throw in.fail("a hex MTP point code in mtp{...}", start);
                }
                return "mtp{" + pc + "}";
            }
            if (w.isEmpty()) {
                throw in.fail("the mId ([address]:port, <domain>:port, mtp{..} or a device name)");
            }
            return w;
        }

        private static boolean midChars(String s) {
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c <= ' ' || c == '{' || c == '}' || c == ',' || c == '"' || c == ';' || c == '[' || c == '<') {
                    return false;
                }
            }
            return true;
        }

        private long txnId(TextNode t) {
            return number(t.value(), TransactionIds.MAX, t, "a transaction id after " + t.name() + " =");
        }

        private TransactionRequest request(TextNode t) {
            long id = txnId(t);
            List<ActionRequest> actions = new ArrayList<>();
            for (TextNode c : braces(t)) {
                if (!c.is("Context")) {
                    throw fail("Context = <id> { ... } in Transaction " + id, c);
                }
                actions.add(this.actions.actionRequest(c));
            }
            return new TransactionRequest(id, actions);
        }

        private TransactionReply reply(TextNode t) {
            long id = txnId(t);
            boolean immAck = false;
            ErrorDescriptor error = null;
            List<ActionReply> actions = new ArrayList<>();
            for (TextNode c : t.children() == null ? List.<TextNode>of() : t.children()) {
                if (c.is("ImmAckRequired") && c.value() == null && c.children() == null) {
                    immAck = true;
                } else if (c.is("Error")) {
                    error = descriptors.error(c);
                } else if (c.is("Context")) {
                    actions.add(this.actions.actionReply(c));
                } else {
                    throw fail("ImmAckRequired, Error or Context in Reply " + id, c);
                }
            }
            return new TransactionReply(id, immAck, actions, error);
        }

        private TransactionResponseAck ack(TextNode t) {
            List<long[]> ranges = new ArrayList<>();
            for (TextNode c : braces(t)) {
                String w = c.name();
                if (w == null || c.value() != null || c.children() != null) {
                    throw fail("a transaction id or range first-last", c);
                }
                int dash = w.indexOf('-');
                long first = number(dash < 0 ? w : w.substring(0, dash), TransactionIds.MAX, c, "a transaction id");
                long last = dash < 0 ? first : number(w.substring(dash + 1), TransactionIds.MAX, c, "a transaction id");
                if (last < first) {
                    throw fail("an ascending range instead of '" + w + "'", c);
                }
                ranges.add(new long[] {first, last});
            }
            if (ranges.isEmpty()) {
                throw fail("at least one transaction id in TransactionResponseAck", t);
            }
            return new TransactionResponseAck(ranges);
        }
    }
}
