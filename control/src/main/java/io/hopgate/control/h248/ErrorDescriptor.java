package io.hopgate.control.h248;

/**
 * {@code Error = 430 { "Unknown TerminationID: rtp/9" }}; {@code text} may be null (no text).
 * H.248 quoted strings cannot carry {@code "}, so the writer turns one into {@code '}.
 */
public record ErrorDescriptor(int code, String text) implements Descriptor {
    public ErrorDescriptor {
        if (code < 0 || code > 9999) {
            throw new IllegalArgumentException("error code " + code + " out of range 0..9999");
        }
    }

    public static ErrorDescriptor of(ErrorCode code, String text) {
        return new ErrorDescriptor(code.code(), text);
    }
}
