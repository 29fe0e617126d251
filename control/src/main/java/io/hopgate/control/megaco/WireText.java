package io.hopgate.control.megaco;

/**
 * Text that came from the wire, made safe for a log line: anything but printable ASCII (control characters, line
 * breaks, bytes of invalid UTF-8, which decoding turned into U+FFFD, any other non-ASCII) is written as an escape
 * ({@code \n}, {@code \x07}, {@code \uFFFD}), so a peer cannot forge log lines or put raw bytes in the log, and the
 * text is cut at {@code MAX_CHARS} with the count of what was left out.
 */
public final class WireText {
    public static final int MAX_CHARS = 300;

    private WireText() {
    }

    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), MAX_CHARS);
        StringBuilder sb = null;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            boolean plain = c >= 0x20 && c < 0x7F && c != '\\';
            if (plain && sb == null) {
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(end + 16).append(text, 0, i);
            }
            if (plain) {
                sb.append(c);
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02X", (int) c));
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        String out = sb == null ? text.substring(0, end) : sb.toString();
        return text.length() > end ? out + "...(" + (text.length() - end) + " more chars)" : out;
    }
}
