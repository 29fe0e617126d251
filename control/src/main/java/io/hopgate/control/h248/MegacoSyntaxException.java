package io.hopgate.control.h248;

/**
 * The text could not be read (H.248 error 400, "Syntax error in message"). Carries the character
 * offset, 1-based line and column where parsing stopped; the message says what was expected there
 * and what was found.
 */
public final class MegacoSyntaxException extends MegacoException {
    private static final long serialVersionUID = 1L;

    private final int offset;
    private final int line;
    private final int column;

    public MegacoSyntaxException(String text, int offset, int line, int column) {
        super(ErrorCode.SYNTAX_ERROR_IN_MESSAGE.code(), text);
        this.offset = offset;
        this.line = line;
        this.column = column;
    }

    public int offset() {
        return offset;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
