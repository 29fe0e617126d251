package io.hopgate.control.h248;

/** {@code Pending = id { }}: the request is being worked on, a final reply will follow. */
public record TransactionPending(long id) implements Transaction {
    public TransactionPending {
        TransactionIds.check(id);
    }
}
