package io.hopgate.control.h248;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Message} as H.248 text. {@link #pretty()}: long tokens, one item per line,
 * indented, SDP lines on their own lines (the layout of Erlang megaco's pretty encoder, readable
 * by Wireshark). {@link #compact()}: short tokens, no optional whitespace. Immutable and
 * thread-safe; {@code MessageParser.parse(write(m))} equals {@code m} for both layouts.
 */
public final class MegacoWriter {
    private static final MegacoWriter PRETTY = new MegacoWriter(false);
    private static final MegacoWriter COMPACT = new MegacoWriter(true);
    private static final String INDENT = "  ";

    private final boolean compact;

    private MegacoWriter(boolean compact) {
        this.compact = compact;
    }

    public static MegacoWriter pretty() {
        return PRETTY;
    }

    public static MegacoWriter compact() {
        return COMPACT;
    }

    public boolean isCompact() {
        return compact;
    }

    public String write(Message m) {
        StringBuilder sb = new StringBuilder(512);
        sb.append(compact ? "!" : "MEGACO").append('/').append(m.version()).append(' ').append(m.mid()).append('\n');
        if (m.messageError() != null) {
            render(sb, error(m.messageError()), 0);
            sb.append('\n');
        }
        for (Transaction t : m.transactions()) {
            render(sb, transaction(t, m.version()), 0);
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The bytes of {@link #write(Message)} (UTF-8; plain ASCII for ASCII content). */
    public byte[] writeBytes(Message m) {
        return write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- model to render tree -----------------------------------------------------------------

    /** Render node: name (token or literal), value (token, literal or quoted), children or octets. */
    private record W(String name, boolean nameToken, String value, int valueKind, List<W> children, String octets) {
        static final int LITERAL = 0;
        static final int TOKEN = 1;
        static final int QUOTED = 2;
        static final int AUTO = 3;
    }

    private static W tok(String token) {
        return new W(token, true, null, 0, null, null);
    }

    private static W tok(String token, String value, int kind) {
        return new W(token, true, value, kind, null, null);
    }

    private static W tok(String token, String value, int kind, List<W> children) {
        return new W(token, true, value, kind, children, null);
    }

    private static W lit(String name) {
        return new W(name, false, null, 0, null, null);
    }

    private static W transaction(Transaction t, int version) {
        if (t instanceof TransactionRequest r) {
            List<W> ch = new ArrayList<>();
            for (ActionRequest a : r.actions()) {
                ch.add(action(a, version));
            }
            return tok("Transaction", Long.toString(r.id()), W.LITERAL, ch);
        }
        if (t instanceof TransactionReply r) {
            List<W> ch = new ArrayList<>();
            if (r.immAckRequired()) {
                ch.add(tok("ImmAckRequired"));
            }
            if (r.error() != null) {
                ch.add(error(r.error()));
            }
            for (ActionReply a : r.actions()) {
                ch.add(action(a, version));
            }
            return tok("Reply", Long.toString(r.id()), W.LITERAL, ch);
        }
        if (t instanceof TransactionPending p) {
            return tok("Pending", Long.toString(p.id()), W.LITERAL, List.of());
        }
        TransactionResponseAck k = (TransactionResponseAck) t;
        List<W> ch = new ArrayList<>();
        for (long[] r : k.ranges()) {
            ch.add(lit(r[0] == r[1] ? Long.toString(r[0]) : r[0] + "-" + r[1]));
        }
        return tok("TransactionResponseAck", null, 0, ch);
    }

    /**
     * Version 2 messages carry one Topology descriptor per triple: its ABNF allows several triples in one
     * ({@code [COMMA eventStream]} follows each) but Erlang megaco's v2 parser stops at the second triple, and a
     * list of Topology descriptors is valid v2 as well. Versions 1 and 3 keep one descriptor (v3's grammar allows
     * no second one).
     */
    private static void contextProperties(ContextProperties p, List<W> out, int version) {
        if (!p.topology().isEmpty()) {
            List<W> tr = new ArrayList<>();
            for (TopologyTriple t : p.topology()) {
                tr.add(lit(t.from().text()));
                tr.add(lit(t.to().text()));
                tr.add(tok(t.direction().token()));
                if (version == 2) {
                    out.add(tok("Topology", null, 0, tr));
                    tr = new ArrayList<>();
                }
            }
            if (!tr.isEmpty()) {
                out.add(tok("Topology", null, 0, tr));
            }
        }
        if (p.priority() != null) {
            out.add(tok("Priority", p.priority().toString(), W.LITERAL));
        }
        if (p.emergency() != null) {
            out.add(tok(p.emergency() ? "Emergency" : "EmergencyOff"));
        }
        for (GenericDescriptor g : p.other()) {
            out.add(generic(g));
        }
    }

    private static W action(ActionRequest a, int version) {
        List<W> ch = new ArrayList<>();
        contextProperties(a.properties(), ch, version);
        for (CommandRequest c : a.commands()) {
            String prefix = (c.optional() ? "O-" : "") + (c.wildcardReply() ? "W-" : "");
            W cmd = command(c.type(), c.terminationId(), c.descriptors());
            if (!prefix.isEmpty()) {
                cmd = new W(prefix + "\0" + cmd.name(), true, cmd.value(), cmd.valueKind(), cmd.children(), null);
            }
            ch.add(cmd);
        }
        return tok("Context", a.contextId().text(), W.LITERAL, ch);
    }

    private static W action(ActionReply a, int version) {
        List<W> ch = new ArrayList<>();
        contextProperties(a.properties(), ch, version);
        for (CommandReply c : a.commands()) {
            ch.add(command(c.type(), c.terminationId(), c.descriptors()));
        }
        if (a.error() != null) {
            ch.add(error(a.error()));
        }
        return tok("Context", a.contextId().text(), W.LITERAL, ch);
    }

    private static W command(CommandType type, TerminationId term, List<Descriptor> descriptors) {
        List<W> ch = null;
        if (!descriptors.isEmpty()) {
            ch = new ArrayList<>();
            for (Descriptor d : descriptors) {
                ch.add(descriptor(d));
            }
        }
        return tok(type.token(), term.text(), W.LITERAL, ch);
    }

    private static W descriptor(Descriptor d) {
        if (d instanceof MediaDescriptor m) {
            return media(m);
        }
        if (d instanceof ErrorDescriptor e) {
            return error(e);
        }
        if (d instanceof StatisticsDescriptor s) {
            return tok("Statistics", null, 0, properties(s.statistics()));
        }
        if (d instanceof AuditDescriptor a) {
            List<W> ch = new ArrayList<>();
            for (String item : a.items()) {
                ch.add(Tokens.canonical(item) != null ? tok(Tokens.canonical(item)) : lit(item));
            }
            return tok("Audit", null, 0, ch);
        }
        if (d instanceof ServiceChangeDescriptor sc) {
            return serviceChange(sc);
        }
        if (d instanceof EventsDescriptor e) {
            List<W> ch = new ArrayList<>();
            for (EventsDescriptor.RequestedEvent ev : e.events()) {
                List<W> params = null;
                if (!ev.parameters().isEmpty()) {
                    params = new ArrayList<>();
                    for (GenericDescriptor p : ev.parameters()) {
                        params.add(generic(p, false));
                    }
                }
                ch.add(new W(ev.name(), false, null, 0, params, null));
            }
            return tok("Events", Long.toString(e.requestId()), W.LITERAL, ch);
        }
        if (d instanceof ObservedEventsDescriptor o) {
            List<W> ch = new ArrayList<>();
            for (ObservedEventsDescriptor.ObservedEvent ev : o.events()) {
                String name = ev.timestamp() == null ? ev.name() : ev.timestamp() + ":" + ev.name();
                List<W> params = null;
                if (!ev.parameters().isEmpty()) {
                    params = new ArrayList<>();
                    for (Map.Entry<String, String> e : ev.parameters().entrySet()) {
                        params.add(new W(e.getKey(), false, e.getValue(), W.AUTO, null, null));
                    }
                }
                ch.add(new W(name, false, null, 0, params, null));
            }
            return tok("ObservedEvents", Long.toString(o.requestId()), W.LITERAL, ch);
        }
        if (d instanceof PackagesDescriptor p) {
            List<W> ch = new ArrayList<>();
            for (Map.Entry<String, Integer> e : p.packages().entrySet()) {
                ch.add(lit(e.getKey() + "-" + e.getValue()));
            }
            return tok("Packages", null, 0, ch);
        }
        return generic((GenericDescriptor) d);
    }

    /** {@code name[=value]} items; a name that is a token is written as one (short when compact). */
    private static List<W> properties(Map<String, String> m) {
        List<W> ch = new ArrayList<>();
        for (Map.Entry<String, String> e : m.entrySet()) {
            boolean token = Tokens.canonical(e.getKey()) != null && Tokens.canonical(e.getKey()).equals(e.getKey());
            ch.add(new W(e.getKey(), token, e.getValue(), W.AUTO, null, null));
        }
        return ch;
    }

    private static W media(MediaDescriptor m) {
        List<W> ch = new ArrayList<>();
        TerminationStateDescriptor ts = m.terminationState();
        if (ts != null) {
            List<W> tc = new ArrayList<>();
            if (ts.serviceState() != null) {
                tc.add(tok("ServiceStates", ts.serviceState().token(), W.TOKEN));
            }
            if (ts.eventBufferControl() != null) {
                tc.add(tok("Buffer", ts.eventBufferControl().equals("Off") ? "OFF" : "LockStep",
                        ts.eventBufferControl().equals("Off") ? W.LITERAL : W.TOKEN));
            }
            tc.addAll(properties(ts.properties()));
            ch.add(tok("TerminationState", null, 0, tc));
        }
        for (StreamDescriptor s : m.streams()) {
            List<W> sc = new ArrayList<>();
            LocalControlDescriptor lc = s.localControl();
            if (lc != null) {
                List<W> lcc = new ArrayList<>();
                if (lc.mode() != null) {
                    lcc.add(tok("Mode", lc.mode().token(), W.TOKEN));
                }
                if (lc.reserveValue() != null) {
                    lcc.add(tok("ReservedValue", lc.reserveValue() ? "ON" : "OFF", W.LITERAL));
                }
                if (lc.reserveGroup() != null) {
                    lcc.add(tok("ReservedGroup", lc.reserveGroup() ? "ON" : "OFF", W.LITERAL));
                }
                lcc.addAll(properties(lc.properties()));
                sc.add(tok("LocalControl", null, 0, lcc));
            }
            if (s.localSdp() != null) {
                sc.add(new W("Local", true, null, 0, null, s.localSdp()));
            }
            if (s.remoteSdp() != null) {
                sc.add(new W("Remote", true, null, 0, null, s.remoteSdp()));
            }
            for (GenericDescriptor g : s.other()) {
                sc.add(generic(g));
            }
            ch.add(tok("Stream", Integer.toString(s.id()), W.LITERAL, sc));
        }
        for (GenericDescriptor g : m.other()) {
            ch.add(generic(g));
        }
        return tok("Media", null, 0, ch);
    }

    private static W serviceChange(ServiceChangeDescriptor sc) {
        List<W> ch = new ArrayList<>();
        if (sc.method() != null) {
            ch.add(tok("Method", sc.method().token(), W.TOKEN));
        }
        if (sc.reason() != null) {
            ch.add(tok("Reason", sc.reason(), W.QUOTED));
        }
        if (sc.delay() != null) {
            ch.add(tok("Delay", sc.delay().toString(), W.LITERAL));
        }
        if (sc.address() != null) {
            ch.add(tok("ServiceChangeAddress", sc.address(), W.AUTO));
        }
        if (sc.profile() != null) {
            ch.add(tok("Profile", sc.profile(), W.AUTO));
        }
        if (sc.version() != null) {
            ch.add(tok("Version", sc.version().toString(), W.LITERAL));
        }
        if (sc.mgcIdToTry() != null) {
            ch.add(tok("MgcIdToTry", sc.mgcIdToTry(), W.AUTO));
        }
        for (GenericDescriptor g : sc.other()) {
            ch.add(generic(g));
        }
        return tok("Services", null, 0, ch);
    }

    private static W error(ErrorDescriptor e) {
        List<W> ch = e.text() == null ? List.of() : List.of(new W(null, false, e.text(), W.QUOTED, null, null));
        return tok("Error", Integer.toString(e.code()), W.LITERAL, ch);
    }

    private static W generic(GenericDescriptor g) {
        return generic(g, true);
    }

    /** Only a descriptor-level name is shortened in compact form; nested names are package-defined. */
    private static W generic(GenericDescriptor g, boolean tokenPosition) {
        if (g.name() == null) {
            return new W(null, false, g.value() == null ? "" : g.value(), W.QUOTED, null, null);
        }
        boolean token = tokenPosition && g.name().equals(Tokens.canonical(g.name()));
        List<W> ch = null;
        if (g.children() != null) {
            ch = new ArrayList<>();
            for (GenericDescriptor c : g.children()) {
                ch.add(generic(c, false));
            }
        }
        return new W(g.name(), token, g.value(), W.AUTO, ch, g.octets());
    }

    // ---- rendering ----------------------------------------------------------------------------

    private void render(StringBuilder sb, W w, int depth) {
        if (!compact) {
            sb.append(INDENT.repeat(depth));
        }
        if (w.name() == null) {
            quote(sb, w.value());
            return;
        }
        String name = w.name();
        int nul = name.indexOf('\0');
        if (nul >= 0) {   // O-/W- command prefix in front of a token
            sb.append(name, 0, nul);
            name = name.substring(nul + 1);
        }
        sb.append(w.nameToken() ? Tokens.write(name, compact) : name);
        if (w.value() != null) {
            sb.append(compact ? "=" : " = ");
            switch (w.valueKind()) {
                case W.TOKEN -> sb.append(Tokens.write(w.value(), compact));
                case W.QUOTED -> quote(sb, w.value());
                case W.AUTO -> {
                    if (needsQuotes(w.value())) {
                        quote(sb, w.value());
                    } else {
                        sb.append(w.value());
                    }
                }
                default -> sb.append(w.value());
            }
        }
        if (w.octets() != null) {
            // octet string: '}' is escaped as "\}" (RFC 3525 B.2 octetString); SDP lines unindented
            sb.append(compact ? "{\n" : " {\n");
            if (!w.octets().isEmpty()) {
                sb.append(w.octets().replace("}", "\\}")).append('\n');
            }
            if (!compact) {
                sb.append(INDENT.repeat(depth));
            }
            sb.append('}');
        } else if (w.children() != null) {
            if (w.children().isEmpty()) {
                sb.append(compact ? "{}" : " { }");
            } else {
                sb.append(compact ? "{" : " {\n");
                for (int k = 0; k < w.children().size(); k++) {
                    if (k > 0) {
                        sb.append(compact ? "," : ",\n");
                    }
                    render(sb, w.children().get(k), depth + 1);
                }
                if (!compact) {
                    sb.append('\n').append(INDENT.repeat(depth));
                }
                sb.append('}');
            }
        }
    }

    /** H.248 quoted strings have no escape for '"', so one becomes '\''. */
    private static void quote(StringBuilder sb, String text) {
        sb.append('"').append(text.replace('"', '\'')).append('"');
    }

    /** Whether a value cannot be written as bare SafeChars (outside [..] groups). */
    private static boolean needsQuotes(String v) {
        if (v.isEmpty()) {
            return true;
        }
        int depth = 0;
        for (int k = 0; k < v.length(); k++) {
            char c = v.charAt(k);
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth = Math.max(0, depth - 1);
            } else if (c == '"' || c <= ' ' || c == ';') {
                return true;
            } else if (depth == 0 && (c == ',' || c == '{' || c == '}' || c == '=')) {
                return true;
            }
        }
        return depth != 0;
    }
}
