package io.hopgate.control.h248;

import java.util.List;

/** {@code Transaction = id { Context = c { ... }, ... }}; {@code id} is 0..2^32-1. */
public record TransactionRequest(long id, List<ActionRequest> actions) implements Transaction {
    public TransactionRequest {
        TransactionIds.check(id);
        actions = List.copyOf(actions);
    }
}
