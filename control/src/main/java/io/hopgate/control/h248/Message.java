package io.hopgate.control.h248;

import java.util.List;
import java.util.Objects;

/**
 * One H.248 message: {@code MEGACO/version mid} followed by transactions, or by a single
 * message-level Error descriptor (then {@code transactions} is empty).
 *
 * @param version      protocol version from the header (1, 2, 3)
 * @param mid          the sender's mId exactly as written, e.g. {@code [127.0.0.1]:2944}
 * @param transactions requests, replies, pendings and response acks in message order
 * @param messageError message-level error, or null
 */
public record Message(int version, String mid, List<Transaction> transactions, ErrorDescriptor messageError) {
    public Message {
        Objects.requireNonNull(mid, "mid");
        transactions = List.copyOf(transactions);
    }

    public Message(int version, String mid, List<Transaction> transactions) {
        this(version, mid, transactions, null);
    }

    /** A message that carries only an error, e.g. the answer to an unreadable message. */
    public static Message error(int version, String mid, ErrorDescriptor error) {
        return new Message(version, mid, List.of(), error);
    }
}
