package io.hopgate.control.h248;

/** One transaction-level item of a message body. */
public sealed interface Transaction
        permits TransactionRequest, TransactionReply, TransactionPending, TransactionResponseAck {
}
