package io.hopgate.rtp;

/**
 * Reason codes returned by {@link RtcpHeader#validate()} and {@link RtcpHeader#validateCompound}. The first
 * codes share values with {@link RtpValidation} so one counter array can serve both when convenient.
 */
public final class RtcpValidation {
    public static final int OK = RtpValidation.OK;
    /** Fewer than 4 bytes, or the view does not lie inside its buffer. */
    public static final int TOO_SHORT = RtpValidation.TOO_SHORT;
    /** Version field is not 2. */
    public static final int BAD_VERSION = RtpValidation.BAD_VERSION;
    /** The length field announces more bytes than the packet holds. */
    public static final int BAD_LENGTH = 6;
    /** Packet type outside 200..207 (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR). */
    public static final int BAD_PACKET_TYPE = 7;
    /** The count field announces more report blocks, chunks or SSRCs than the length allows. */
    public static final int BAD_COUNT = 8;
    /** P is set but the padding count is 0 or larger than the packet body. */
    public static final int BAD_PADDING = RtpValidation.BAD_PADDING;

    public static final int CODE_COUNT = 9;

    private RtcpValidation() {
    }

    public static String describe(final int code) {
        switch (code) {
            case OK: return "ok";
            case TOO_SHORT: return "too short for an RTCP header";
            case BAD_VERSION: return "RTCP version is not 2";
            case BAD_LENGTH: return "RTCP length field exceeds the packet";
            case BAD_PACKET_TYPE: return "RTCP packet type not in 200..207";
            case BAD_COUNT: return "RTCP count field exceeds the packet length";
            case BAD_PADDING: return "RTCP padding count is 0 or longer than the packet body";
            default: return "unknown RTCP validation code " + code;
        }
    }
}
