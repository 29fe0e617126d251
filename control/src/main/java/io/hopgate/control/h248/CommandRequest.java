package io.hopgate.control.h248;

import java.util.List;
import java.util.Objects;

/**
 * {@code [O-][W-]Command = terminationId [{ descriptors }]}. {@code optional} is the {@code O-}
 * prefix (continue with the next command on failure), {@code wildcardReply} the {@code W-} prefix.
 */
public record CommandRequest(CommandType type, boolean optional, boolean wildcardReply, TerminationId terminationId,
        List<Descriptor> descriptors) {
    public CommandRequest {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(terminationId, "terminationId");
        descriptors = List.copyOf(descriptors);
    }

    public CommandRequest(CommandType type, TerminationId terminationId, List<Descriptor> descriptors) {
        this(type, false, false, terminationId, descriptors);
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
}
