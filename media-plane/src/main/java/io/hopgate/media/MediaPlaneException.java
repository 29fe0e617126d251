package io.hopgate.media;

/**
 * A command on the media plane that could not be carried out. The {@link Kind} lets the control layer map it
 * to a protocol error (H.248 510 for an exhausted limit, 411 for an unknown context, ...); the message names the
 * bad value and, for limits, the configured bound.
 */
public final class MediaPlaneException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. The first three are resource limits: calls already up keep working. */
    public enum Kind {
        PORTS_EXHAUSTED,
        CONTEXTS_EXHAUSTED,
        CONTEXT_FULL,
        UNKNOWN_CONTEXT,
        UNKNOWN_TERMINATION,
        NOT_IN_CONTEXT,
        INVALID_ARGUMENT,
        IO_FAILURE;

        public boolean isLimit() {
            return this == PORTS_EXHAUSTED || this == CONTEXTS_EXHAUSTED || this == CONTEXT_FULL;
        }
    }

    private final Kind kind;

    public MediaPlaneException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public MediaPlaneException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
