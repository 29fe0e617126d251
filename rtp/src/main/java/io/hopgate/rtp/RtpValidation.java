package io.hopgate.rtp;

/**
 * Reason codes returned by {@link RtpHeader#validate()}. Plain {@code int}s so the hot path can index a
 * counter array with them instead of allocating or throwing.
 */
public final class RtpValidation {
    public static final int OK = 0;
    /** Fewer than {@link RtpHeader#MIN_LENGTH} bytes, or the view does not lie inside its buffer. */
    public static final int TOO_SHORT = 1;
    /** Version field is not 2. */
    public static final int BAD_VERSION = 2;
    /** The CSRC list announced by CC does not fit inside the packet. */
    public static final int BAD_CSRC_LENGTH = 3;
    /** The header extension (4 byte header plus its length in words) does not fit inside the packet. */
    public static final int BAD_EXTENSION_LENGTH = 4;
    /** P is set but the padding count is 0 or larger than what follows the header. */
    public static final int BAD_PADDING = 5;

    /** Number of codes, for sizing per-reason counter arrays. */
    public static final int CODE_COUNT = 6;

    private RtpValidation() {
    }

    public static String describe(final int code) {
        switch (code) {
            case OK: return "ok";
            case TOO_SHORT: return "too short for an RTP header";
            case BAD_VERSION: return "RTP version is not 2";
            case BAD_CSRC_LENGTH: return "CSRC list longer than the packet";
            case BAD_EXTENSION_LENGTH: return "header extension longer than the packet";
            case BAD_PADDING: return "padding count is 0 or longer than the payload";
            default: return "unknown RTP validation code " + code;
        }
    }
}
