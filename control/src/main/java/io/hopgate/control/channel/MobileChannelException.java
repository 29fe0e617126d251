package io.hopgate.control.channel;

/** Why a channel refused a message or ended; {@link #reason()} tells the cases apart. */
public final class MobileChannelException extends RuntimeException {
    public enum Reason {
        /** The unacknowledged-message buffer is full; the message was not queued. */
        BUFFER_FULL,
        /** No connection could be (re)established or resumed before the deadline. */
        DEADLINE,
        /** The peer refused the open or the resume (unknown name, unknown session, wrong token, busy). */
        REFUSED,
        /** The peer broke the protocol in a way a reconnection cannot repair. */
        PROTOCOL,
        /** The channel was closed, by this side or the peer. */
        CLOSED
    }

    private final Reason reason;

    public MobileChannelException(Reason reason, String message) {
        this(reason, message, null);
    }

    public MobileChannelException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
