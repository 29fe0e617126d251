package io.hopgate.control.h248;

import java.util.List;

/**
 * Anything the typed model does not cover, kept as the generic tree so it can be answered with an
 * error (444, 445, ...) or passed on, never silently dropped: {@code name [= value] [{ children }]}.
 *
 * @param name     canonical long token when the name is one, else as written; null for a bare
 *                 quoted string (then {@code value} is its text)
 * @param value    value after {@code =} (unquoted), or null
 * @param children nested items, or null when there were no braces (empty list for {@code { }})
 * @param octets   raw body of an octet-string item (Local/Remote), else null
 */
public record GenericDescriptor(String name, String value, List<GenericDescriptor> children, String octets)
        implements Descriptor {
    public GenericDescriptor {
        children = children == null ? null : List.copyOf(children);
    }

    public GenericDescriptor(String name, String value, List<GenericDescriptor> children) {
        this(name, value, children, null);
    }
}
