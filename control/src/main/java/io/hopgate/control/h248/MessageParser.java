package io.hopgate.control.h248;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses one H.248 text message (RFC 3525 Annex B; pretty or compact, long or short tokens, any
 * case) into the typed {@link Message}. Stateless and thread-safe: use {@link #parse(String)}.
 *
 * <p>Two passes: {@link TextReader} builds the generic tree (bounded in size and depth), then this
 * class decodes it. Descriptors and properties it does not model are kept as
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

    private static final class Decoder {
        private final TextReader in;

        Decoder(TextReader in) {
            this.in = in;
        }

        private MegacoSyntaxException fail(String expected, TextNode at) {
            return in.fail(expected, at.offset());
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
            String mid = mid();
            List<TextNode> body = in.items(0);
            if (body.isEmpty()) {
                throw in.fail("a transaction or an Error descriptor");
            }
            List<Transaction> txns = new ArrayList<>();
            ErrorDescriptor error = null;
            for (TextNode t : body) {
                String key = t.key();
                switch (key == null ? "" : key) {
                    case "Transaction" -> txns.add(request(t));
                    case "Reply" -> txns.add(reply(t));
                    case "Pending" -> txns.add(new TransactionPending(txnId(t)));
                    case "TransactionResponseAck" -> txns.add(ack(t));
                    case "Error" -> {
                        if (error != null) {
                            throw fail("one message-level Error descriptor", t);
                        }
                        error = error(t);
                    }
                    default -> throw fail("Transaction, Reply, Pending, TransactionResponseAck or Error", t);
                }
            }
            return new Message(version, mid, txns, error);
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

        private static boolean digits(String s) {
            if (s.isEmpty()) {
                return false;
            }
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                if (c < '0' || c > '9') {
                    return false;
                }
            }
            return true;
        }

        /** Decimal number 0..max; never throws NumberFormatException. */
        private long number(String v, long max, TextNode at, String what) {
            if (v == null) {
                throw fail(what + " (a number 0.." + max + ")", at);
            }
            String d = v;
            while (d.length() > 1 && d.charAt(0) == '0') {
                d = d.substring(1);
            }
            if (!digits(d) || d.length() > 10 || Long.parseLong(d) > max) {
                throw fail(what + " in range 0.." + max + " instead of '" + v + "'", at);
            }
            return Long.parseLong(d);
        }

        private long txnId(TextNode t) {
            return number(t.value(), TransactionIds.MAX, t, "a transaction id after " + t.name() + " =");
        }

        private List<TextNode> braces(TextNode t) {
            if (t.children() == null) {
                throw fail("'{' after " + t.name() + (t.value() == null ? "" : " = " + t.value()), t);
            }
            return t.children();
        }

        private TransactionRequest request(TextNode t) {
            long id = txnId(t);
            List<ActionRequest> actions = new ArrayList<>();
            for (TextNode c : braces(t)) {
                if (!c.is("Context")) {
                    throw fail("Context = <id> { ... } in Transaction " + id, c);
                }
                actions.add(actionRequest(c));
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
                    error = error(c);
                } else if (c.is("Context")) {
                    actions.add(actionReply(c));
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

        private ContextId contextId(TextNode t) {
            String v = t.value();
            if (v == null) {
                throw fail("a context id after Context = (number, $, * or -)", t);
            }
            return switch (v) {
                case "-" -> ContextId.NULL;
                case "$" -> ContextId.CHOOSE;
                case "*" -> ContextId.ALL;
                default -> ContextId.of(number(v, ContextId.ALL_VALUE, t, "a context id (number, $, * or -)"));
            };
        }

        /** Context-level items shared by requests and replies; returns false when not one. */
        private boolean contextProperty(TextNode c, List<TopologyTriple> topology, Integer[] priority,
                Boolean[] emergency, List<GenericDescriptor> other) {
            String key = c.key();
            if (key == null) {
                return false;
            }
            switch (key) {
                case "Topology" -> {
                    List<TextNode> items = braces(c);
                    if (items.size() % 3 != 0) {
                        throw fail("Topology triples 'from, to, direction'", c);
                    }
                    for (int k = 0; k < items.size(); k += 3) {
                        TextNode from = items.get(k);
                        TextNode to = items.get(k + 1);
                        TextNode dir = items.get(k + 2);
                        TopologyDirection d = dir.name() == null ? null : TopologyDirection.fromToken(dir.name());
                        if (d == null || dir.value() != null || dir.children() != null) {
                            throw fail("a topology direction (isolate, oneway, bothway, onewayexternal, onewayboth)",
                                    dir);
                        }
                        topology.add(new TopologyTriple(terminationName(from), terminationName(to), d));
                    }
                    return true;
                }
                case "Priority" -> {
                    priority[0] = (int) number(c.value(), 15, c, "a priority");
                    return true;
                }
                case "Emergency" -> {
                    emergency[0] = Boolean.TRUE;
                    return true;
                }
                case "EmergencyOff" -> {
                    emergency[0] = Boolean.FALSE;
                    return true;
                }
                case "ContextAudit", "IEPSCall", "ContextAttr" -> {
                    other.add(generic(c));
                    return true;
                }
                default -> {
                    if (c.name().indexOf('/') > 0) {   // v3 context property pkg/name=value
                        other.add(generic(c));
                        return true;
                    }
                    return false;
                }
            }
        }

        private TerminationId terminationName(TextNode t) {
            if (t.name() == null || t.value() != null || t.children() != null) {
                throw fail("a termination id", t);
            }
            return new TerminationId(t.name());
        }

        private TerminationId terminationValue(TextNode t) {
            if (t.value() == null || t.value().isEmpty()) {
                throw fail("a termination id after " + t.name() + " =", t);
            }
            return new TerminationId(t.value());
        }

        private ActionRequest actionRequest(TextNode t) {
            ContextId id = contextId(t);
            List<TopologyTriple> topology = new ArrayList<>();
            Integer[] priority = {null};
            Boolean[] emergency = {null};
            List<GenericDescriptor> other = new ArrayList<>();
            List<CommandRequest> commands = new ArrayList<>();
            for (TextNode c : braces(t)) {
                if (c.name() == null) {
                    throw fail("a command or context property", c);
                }
                if (contextProperty(c, topology, priority, emergency, other)) {
                    continue;
                }
                commands.add(commandRequest(c));
            }
            return new ActionRequest(id, new ContextProperties(topology, priority[0], emergency[0], other), commands);
        }

        private ActionReply actionReply(TextNode t) {
            ContextId id = contextId(t);
            List<TopologyTriple> topology = new ArrayList<>();
            Integer[] priority = {null};
            Boolean[] emergency = {null};
            List<GenericDescriptor> other = new ArrayList<>();
            List<CommandReply> commands = new ArrayList<>();
            ErrorDescriptor error = null;
            for (TextNode c : braces(t)) {
                if (c.name() == null) {
                    throw fail("a command reply, context property or Error", c);
                }
                if (c.is("Error")) {
                    error = error(c);
                } else if (!contextProperty(c, topology, priority, emergency, other)) {
                    CommandType type = CommandType.fromToken(c.name());
                    if (type == null) {
                        throw fail("a command (Add, Modify, Subtract, Move, AuditValue, AuditCapability, Notify, "
                                + "ServiceChange) instead of '" + c.name() + "'", c);
                    }
                    commands.add(new CommandReply(type, terminationValue(c), descriptors(c)));
                }
            }
            return new ActionReply(id, new ContextProperties(topology, priority[0], emergency[0], other), commands,
                    error);
        }

        private CommandRequest commandRequest(TextNode c) {
            String name = c.name();
            boolean optional = false;
            boolean wildcard = false;
            while (name.length() > 2 && name.charAt(1) == '-') {
                char p = Character.toUpperCase(name.charAt(0));
                if (p == 'O' && !optional) {
                    optional = true;
                } else if (p == 'W' && !wildcard) {
                    wildcard = true;
                } else {
                    break;
                }
                name = name.substring(2);
            }
            CommandType type = CommandType.fromToken(name);
            if (type == null) {
                throw fail("a command (Add, Modify, Subtract, Move, AuditValue, AuditCapability, Notify, "
                        + "ServiceChange) or context property instead of '" + c.name() + "'", c);
            }
            return new CommandRequest(type, optional, wildcard, terminationValue(c), descriptors(c));
        }

        private List<Descriptor> descriptors(TextNode command) {
            List<Descriptor> out = new ArrayList<>();
            if (command.children() == null) {
                return out;
            }
            for (TextNode d : command.children()) {
                out.add(descriptor(d));
            }
            return out;
        }

        private Descriptor descriptor(TextNode d) {
            String key = d.key();
            if (key == null) {
                return generic(d);
            }
            return switch (key) {
                case "Media" -> media(d);
                case "Statistics" -> new StatisticsDescriptor(flatMap(d, false));
                case "Error" -> error(d);
                case "Audit" -> audit(d);
                case "Services" -> serviceChange(d);
                case "Events" -> events(d);
                case "ObservedEvents" -> observedEvents(d);
                case "Packages" -> packages(d);
                default -> generic(d);
            };
        }

        ErrorDescriptor error(TextNode t) {
            int code = (int) number(t.value(), 9999, t, "an error code after Error =");
            String text = null;
            if (t.children() != null) {
                for (TextNode c : t.children()) {
                    if (c.name() != null || text != null) {
                        throw fail("one quoted error text in Error = " + code, c);
                    }
                    text = c.value();
                }
            }
            return new ErrorDescriptor(code, text);
        }

        /** {@code name[=value]} children into a map; keys canonical when they are tokens. */
        private Map<String, String> flatMap(TextNode t, boolean canonicalKeys) {
            Map<String, String> m = new LinkedHashMap<>();
            for (TextNode c : braces(t)) {
                if (c.name() == null || c.children() != null || c.octets() != null) {
                    throw fail("name or name = value in " + t.name(), c);
                }
                m.put(canonicalKeys ? c.key() : c.name(), c.value());
            }
            return m;
        }

        private MediaDescriptor media(TextNode t) {
            TerminationStateDescriptor state = null;
            List<StreamDescriptor> streams = new ArrayList<>();
            List<GenericDescriptor> other = new ArrayList<>();
            List<TextNode> direct = new ArrayList<>();
            for (TextNode c : braces(t)) {
                String key = c.key();
                if (c.is("Stream")) {
                    int id = (int) number(c.value(), 0xFFFF, c, "a stream id after Stream =");
                    streams.add(stream(id, braces(c)));
                } else if (c.is("TerminationState")) {
                    state = terminationState(c);
                } else if ("LocalControl".equals(key) || "Local".equals(key) || "Remote".equals(key)) {
                    direct.add(c);
                } else {
                    other.add(generic(c));
                }
            }
            if (!direct.isEmpty()) {
                streams.add(0, stream(1, direct));   // single-stream form: Media { LocalControl, Local, Remote }
            }
            return new MediaDescriptor(state, streams, other);
        }

        private StreamDescriptor stream(int id, List<TextNode> items) {
            LocalControlDescriptor lc = null;
            String local = null;
            String remote = null;
            List<GenericDescriptor> other = new ArrayList<>();
            for (TextNode c : items) {
                if (c.is("LocalControl")) {
                    lc = localControl(c);
                } else if (c.is("Local") || c.is("Remote")) {
                    if (c.octets() == null || c.value() != null) {
                        throw fail("'{' and SDP after " + c.name(), c);
                    }
                    if (c.is("Local")) {
                        local = c.octets();
                    } else {
                        remote = c.octets();
                    }
                } else {
                    other.add(generic(c));
                }
            }
            return new StreamDescriptor(id, lc, local, remote, other);
        }

        private LocalControlDescriptor localControl(TextNode t) {
            StreamMode mode = null;
            Boolean rv = null;
            Boolean rg = null;
            Map<String, String> props = new LinkedHashMap<>();
            for (TextNode c : braces(t)) {
                if (c.name() == null || c.children() != null || c.octets() != null) {
                    throw fail("Mode, ReservedValue, ReservedGroup or a property in LocalControl", c);
                }
                if (c.is("Mode")) {
                    mode = c.value() == null ? null : StreamMode.fromToken(c.value());
                    if (mode == null) {
                        throw fail("a mode (SendReceive, SendOnly, ReceiveOnly, Inactive, Loopback) after Mode =", c);
                    }
                } else if (c.is("ReservedValue")) {
                    rv = onOff(c);
                } else if (c.is("ReservedGroup")) {
                    rg = onOff(c);
                } else {
                    props.put(c.name(), c.value());
                }
            }
            return new LocalControlDescriptor(mode, rv, rg, props);
        }

        private Boolean onOff(TextNode c) {
            String v = c.value() == null ? "" : c.value().toLowerCase(Locale.ROOT);
            return switch (v) {
                case "on", "true" -> Boolean.TRUE;
                case "off", "false" -> Boolean.FALSE;
                default -> throw fail("ON or OFF after " + c.name() + " =", c);
            };
        }

        private TerminationStateDescriptor terminationState(TextNode t) {
            ServiceState state = null;
            String buffer = null;
            Map<String, String> props = new LinkedHashMap<>();
            for (TextNode c : braces(t)) {
                if (c.name() == null || c.children() != null || c.octets() != null) {
                    throw fail("ServiceStates, Buffer or a property in TerminationState", c);
                }
                if (c.is("ServiceStates")) {
                    state = c.value() == null ? null : ServiceState.fromToken(c.value());
                    if (state == null) {
                        throw fail("InService, OutOfService or Test after ServiceStates =", c);
                    }
                } else if (c.is("Buffer")) {
                    String v = c.value() == null ? "" : c.value();
                    if (v.equalsIgnoreCase("off")) {
                        buffer = "Off";
                    } else if (Tokens.is(v, "LockStep")) {
                        buffer = "LockStep";
                    } else {
                        throw fail("OFF or LockStep after Buffer =", c);
                    }
                } else {
                    props.put(c.name(), c.value());
                }
            }
            return new TerminationStateDescriptor(state, buffer, props);
        }

        private Descriptor audit(TextNode t) {
            if (t.children() == null || t.value() != null) {
                return generic(t);
            }
            List<String> items = new ArrayList<>();
            for (TextNode c : t.children()) {
                if (c.name() == null || c.value() != null || c.children() != null || c.octets() != null) {
                    return generic(t);   // v2 indAud parameters: keep whole
                }
                items.add(c.key());
            }
            return new AuditDescriptor(items);
        }

        private ServiceChangeDescriptor serviceChange(TextNode t) {
            ServiceChangeMethod method = null;
            String reason = null;
            String address = null;
            String profile = null;
            Integer version = null;
            Integer delay = null;
            String mgc = null;
            List<GenericDescriptor> other = new ArrayList<>();
            for (TextNode c : braces(t)) {
                String key = c.key() == null ? "" : c.key();
                boolean simple = c.value() != null && c.children() == null && c.octets() == null;
                if (!simple) {
                    other.add(generic(c));
                    continue;
                }
                switch (key) {
                    case "Method" -> {
                        method = ServiceChangeMethod.fromToken(c.value());
                        if (method == null) {
                            other.add(generic(c));   // extension method: keep for a 449 answer
                        }
                    }
                    case "Reason" -> reason = c.value();
                    case "ServiceChangeAddress" -> address = c.value();
                    case "Profile" -> profile = c.value();
                    case "Version" -> version = (int) number(c.value(), 99, c, "a version after Version =");
                    case "Delay" -> delay = (int) number(c.value(), Integer.MAX_VALUE, c, "a delay after Delay =");
                    case "MgcIdToTry" -> mgc = c.value();
                    default -> other.add(generic(c));
                }
            }
            return new ServiceChangeDescriptor(method, reason, address, profile, version, delay, mgc, other);
        }

        private Descriptor events(TextNode t) {
            if (t.value() == null || !digits(t.value()) || t.children() == null) {
                return generic(t);
            }
            long rid = number(t.value(), 0xFFFF_FFFFL, t, "a request id after Events =");
            List<EventsDescriptor.RequestedEvent> events = new ArrayList<>();
            for (TextNode c : t.children()) {
                if (c.name() == null || c.value() != null || c.octets() != null) {
                    return generic(t);
                }
                List<GenericDescriptor> params = new ArrayList<>();
                if (c.children() != null) {
                    for (TextNode p : c.children()) {
                        params.add(generic(p, false));
                    }
                }
                events.add(new EventsDescriptor.RequestedEvent(c.name(), params));
            }
            return new EventsDescriptor(rid, events);
        }

        private Descriptor observedEvents(TextNode t) {
            if (t.value() == null || !digits(t.value()) || t.children() == null) {
                return generic(t);
            }
            long rid = number(t.value(), 0xFFFF_FFFFL, t, "a request id after ObservedEvents =");
            List<ObservedEventsDescriptor.ObservedEvent> events = new ArrayList<>();
            for (TextNode c : t.children()) {
                if (c.name() == null || c.value() != null || c.octets() != null) {
                    return generic(t);
                }
                String name = c.name();
                String stamp = null;
                int colon = name.indexOf(':');
                if (colon > 0) {
                    stamp = name.substring(0, colon);
                    name = name.substring(colon + 1);
                }
                if (name.isEmpty()) {
                    return generic(t);
                }
                Map<String, String> params = new LinkedHashMap<>();
                if (c.children() != null) {
                    for (TextNode p : c.children()) {
                        if (p.name() == null || p.children() != null || p.octets() != null) {
                            return generic(t);
                        }
                        params.put(Tokens.longOrSelf(p.name()), p.value());
                    }
                }
                events.add(new ObservedEventsDescriptor.ObservedEvent(stamp, name, params));
            }
            return new ObservedEventsDescriptor(rid, events);
        }

        private Descriptor packages(TextNode t) {
            if (t.children() == null || t.value() != null) {
                return generic(t);
            }
            Map<String, Integer> m = new LinkedHashMap<>();
            for (TextNode c : t.children()) {
                String w = c.name();
                int dash = w == null ? -1 : w.lastIndexOf('-');
                if (dash <= 0 || c.value() != null || c.children() != null || !digits(w.substring(dash + 1))
                        || w.length() - dash > 3) {
                    return generic(t);
                }
                m.put(w.substring(0, dash), Integer.parseInt(w.substring(dash + 1)));
            }
            return new PackagesDescriptor(m);
        }

        /** A descriptor-level item: its name is read as a token in long or short form. */
        static GenericDescriptor generic(TextNode t) {
            return generic(t, true);
        }

        /**
         * Nested items keep their names as written except for long tokens (case fixed): short forms
         * collide with package parameter names ({@code ds}, {@code a}), so only long ones are trusted.
         */
        static GenericDescriptor generic(TextNode t, boolean tokenPosition) {
            List<GenericDescriptor> children = null;
            if (t.children() != null) {
                children = new ArrayList<>(t.children().size());
                for (TextNode c : t.children()) {
                    children.add(generic(c, false));
                }
            }
            String name = t.name() == null ? null : tokenPosition ? t.key() : Tokens.longOrSelf(t.name());
            return new GenericDescriptor(name, t.value(), children, t.octets());
        }
    }
}
