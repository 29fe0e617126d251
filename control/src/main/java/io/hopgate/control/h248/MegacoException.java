package io.hopgate.control.h248;

/**
 * A failure that becomes an H.248 Error descriptor ({@code Error = code { "text" }}) at the
 * control boundary. The text names the cause and the bad value, e.g.
 * {@code "Unknown TerminationID: rtp/9"}.
 */
public class MegacoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String text;

    public MegacoException(int code, String text) {
        super(code + " " + text);
        this.code = code;
        this.text = text;
    }

    public MegacoException(ErrorCode code, String text) {
        this(code.code(), text);
    }

    public int code() {
        return code;
    }

    public String text() {
        return text;
    }

    /** The Error descriptor to put on the wire for this failure. */
    public ErrorDescriptor toDescriptor() {
        return new ErrorDescriptor(code, text);
    }
}
