package io.hopgate.control.h248;

import java.util.List;

/**
 * {@code Reply = id { [ImmAckRequired,] (Error = ... | Context = c { ... }, ...) }}.
 *
 * @param error transaction-level error (then {@code actions} is normally empty), or null
 */
public record TransactionReply(long id, boolean immAckRequired, List<ActionReply> actions, ErrorDescriptor error)
        implements Transaction {
    public TransactionReply {
        TransactionIds.check(id);
        actions = List.copyOf(actions);
    }

    public TransactionReply(long id, List<ActionReply> actions) {
        this(id, false, actions, null);
    }

    public static TransactionReply error(long id, ErrorDescriptor error) {
        return new TransactionReply(id, false, List.of(), error);
    }
}
