package io.hopgate.control.h248;

import java.util.List;
import java.util.Objects;

/** {@code Context = id { [context properties,] command replies [, Error = ..] }} in a reply. */
public record ActionReply(ContextId contextId, ContextProperties properties, List<CommandReply> commands,
        ErrorDescriptor error) {
    public ActionReply {
        Objects.requireNonNull(contextId, "contextId");
        properties = properties == null ? ContextProperties.NONE : properties;
        commands = List.copyOf(commands);
    }

    public ActionReply(ContextId contextId, List<CommandReply> commands) {
        this(contextId, ContextProperties.NONE, commands, null);
    }
}
