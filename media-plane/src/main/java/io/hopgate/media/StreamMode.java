package io.hopgate.media;

/**
 * A termination's stream mode toward its outside peer (H.248.1 LocalControl Mode).
 * Held as an {@code int} ordinal in {@link Termination} so the forwarding thread reads it with one acquire load.
 */
public enum StreamMode {
    SEND_RECV(true, true),
    SEND_ONLY(false, true),
    RECV_ONLY(true, false),
    INACTIVE(false, false),
    /** Reflects what arrives back to its sender; forwards nothing to other terminations. */
    LOOPBACK(true, false);

    private static final StreamMode[] VALUES = values();

    private final boolean receives;
    private final boolean sends;

    StreamMode(boolean receives, boolean sends) {
        this.receives = receives;
        this.sends = sends;
    }

    /** True when packets from the outside peer are accepted. */
    public boolean receives() {
        return receives;
    }

    /** True when packets from other terminations are sent out to the peer. */
    public boolean sends() {
        return sends;
    }

    static StreamMode ofOrdinal(int ordinal) {
        return VALUES[ordinal];
    }
}
