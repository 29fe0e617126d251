package io.hopgate.control.h248;

/**
 * The text could not be read (H.248 error 400, "Syntax error in message"). Carries the character
 * offset, 1-based line and column where parsing stopped; the message says what was expected there
 * and what was found. When the failure lies inside a request whose transaction id could be read,
 * {@link #transactionId()} names it, so the answer can be a transaction-level error reply
 * ({@code Reply = N { Error = 400 ... }}) rather than a message-level Error.
 */
public final class MegacoSyntaxException extends MegacoException {
    private static final long serialVersionUID = 1L;

    private final int offset;
    private final int line;
    private final int column;
    private final long transactionId;
    private final int version;

    public MegacoSyntaxException(String text, int offset, int line, int column) {
        this(text, offset, line, column, -1, 0);
    }

    private MegacoSyntaxException(String text, int offset, int line, int column, long transactionId, int version) {
        super(ErrorCode.SYNTAX_ERROR_IN_MESSAGE.code(), text);
        this.offset = offset;
        this.line = line;
        this.column = column;
        this.transactionId = transactionId;
        this.version = version;
    }

    /** The same failure, known to lie inside request {@code id} of a message of {@code version}. */
    public MegacoSyntaxException inTransaction(long id, int messageVersion) {
        return new MegacoSyntaxException(text(), offset, line, column, id, messageVersion);
    }

    /** The same failure in a message whose header gave {@code messageVersion}. */
    public MegacoSyntaxException inVersion(int messageVersion) {
        return new MegacoSyntaxException(text(), offset, line, column, transactionId, messageVersion);
    }

    /** The id of the transaction request the failure lies in, or -1 when it could not be read. */
    public long transactionId() {
        return transactionId;
    }

    /** The version of the message header, or 0 when the header could not be read. */
    public int version() {
        return version;
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
