package io.hopgate.control.h248;

import java.util.List;
import java.util.Objects;

/**
 * {@code Command = terminationId [{ descriptors }]} in a reply; an {@link ErrorDescriptor} among the
 * descriptors is the command's error. One termination per reply (a wildcard reply lists one
 * CommandReply per termination).
 */
public record CommandReply(CommandType type, TerminationId terminationId, List<Descriptor> descriptors) {
    public CommandReply {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(terminationId, "terminationId");
        descriptors = List.copyOf(descriptors);
    }

    /** The first descriptor of {@code kind}, or null. */
    public <D extends Descriptor> D descriptor(Class<D> kind) {
        for (Descriptor d : descriptors) {
            if (kind.isInstance(d)) {
                return kind.cast(d);
            }
        }
        return null;
    }

    /** The command's error, or null. */
    public ErrorDescriptor error() {
        return descriptor(ErrorDescriptor.class);
    }
}
