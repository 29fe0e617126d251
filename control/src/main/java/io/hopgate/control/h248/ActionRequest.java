package io.hopgate.control.h248;

import java.util.List;
import java.util.Objects;

/** {@code Context = id { [context properties,] commands }} in a transaction request. */
public record ActionRequest(ContextId contextId, ContextProperties properties, List<CommandRequest> commands) {
    public ActionRequest {
        Objects.requireNonNull(contextId, "contextId");
        properties = properties == null ? ContextProperties.NONE : properties;
        commands = List.copyOf(commands);
    }

    public ActionRequest(ContextId contextId, List<CommandRequest> commands) {
        this(contextId, ContextProperties.NONE, commands);
    }
}
