package io.hopgate.control.h248;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Decodes the descriptors of a command (Media with its streams, LocalControl and SDP, Statistics, Error, Audit,
 * Services, Events, ObservedEvents, Packages); anything it does not model is kept as a {@link GenericDescriptor} so
 * the gateway can refuse it with an error naming it. Not thread-safe: one instance per message.
 */
final class DescriptorDecoder extends NodeDecoder {
    DescriptorDecoder(TextReader in) {
        super(in);
    }

    List<Descriptor> descriptors(TextNode command) {
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
        LocalControlMode mode = null;
        Boolean rv = null;
        Boolean rg = null;
        Map<String, String> props = new LinkedHashMap<>();
        for (TextNode c : braces(t)) {
            if (c.name() == null || c.children() != null || c.octets() != null) {
                throw fail("Mode, ReservedValue, ReservedGroup or a property in LocalControl", c);
            }
            if (c.is("Mode")) {
                mode = c.value() == null ? null : LocalControlMode.fromToken(c.value());
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
