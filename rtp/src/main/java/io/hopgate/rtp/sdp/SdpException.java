package io.hopgate.rtp.sdp;

/**
 * SDP text that cannot be read. Checked, so the H.248 layer has to map it to an error reply (e.g. 400/421)
 * rather than let it escape. The message names the line number and its text.
 */
public final class SdpException extends Exception {
    private static final long serialVersionUID = 1L;
    private static final int MAX_QUOTED_LINE = 120;

    private final int lineNumber;
    private final String line;

    public SdpException(final int lineNumber, final String line, final String reason) {
        super("SDP line " + lineNumber + " '" + abbreviate(line) + "': " + reason);
        this.lineNumber = lineNumber;
        this.line = line;
    }

    /** @return 1 based number of the offending line (for a missing line, where it was expected). */
    public int lineNumber() {
        return lineNumber;
    }

    /** @return the offending line as received, or "" when a required line is missing. */
    public String line() {
        return line;
    }

    private static String abbreviate(final String line) {
        // hostile input may be huge; keep log lines bounded
        return line.length() <= MAX_QUOTED_LINE ? line : line.substring(0, MAX_QUOTED_LINE) + "...";
    }
}
