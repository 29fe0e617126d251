package io.hopgate.control.h248;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes {@code Context = id { ... }} of requests and replies: the context id, context properties (Topology,
 * Priority, Emergency and those kept generic), and the commands, whose descriptors go to {@link DescriptorDecoder}.
 * Not thread-safe: one instance per message, made by {@link MessageParser}.
 */
final class ActionDecoder extends NodeDecoder {
    private final DescriptorDecoder desc;

    ActionDecoder(TextReader in, DescriptorDecoder desc) {
        super(in);
        this.desc = desc;
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
                other.add(DescriptorDecoder.generic(c));
                return true;
            }
            default -> {
                if (c.name().indexOf('/') > 0) {   // v3 context property pkg/name=value
                    other.add(DescriptorDecoder.generic(c));
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

    ActionRequest actionRequest(TextNode t) {
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

    ActionReply actionReply(TextNode t) {
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
                error = desc.error(c);
            } else if (!contextProperty(c, topology, priority, emergency, other)) {
                CommandType type = CommandType.fromToken(c.name());
                if (type == null) {
                    throw fail("a command (Add, Modify, Subtract, Move, AuditValue, AuditCapability, Notify, "
                            + "ServiceChange) instead of '" + c.name() + "'", c);
                }
                commands.add(new CommandReply(type, terminationValue(c), desc.descriptors(c)));
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
        return new CommandRequest(type, optional, wildcard, terminationValue(c), desc.descriptors(c));
    }
}
