package io.hopgate.control.h248;

import java.util.List;

/**
 * {@code Audit { Media, Statistics }} or the empty {@code Audit { }}. Items are canonical long
 * tokens (or package items as written). An Audit with nested parameters (v2 indAud forms) is kept
 * as a {@link GenericDescriptor} instead.
 */
public record AuditDescriptor(List<String> items) implements Descriptor {
    public AuditDescriptor {
        items = List.copyOf(items);
    }
}
