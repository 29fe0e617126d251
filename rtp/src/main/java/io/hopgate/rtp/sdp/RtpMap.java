package io.hopgate.rtp.sdp;

/**
 * {@code a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]} (RFC 4566 section 6).
 *
 * @param parameters encoding parameters (channels for audio) or null when absent.
 */
public record RtpMap(int payloadType, String encodingName, int clockRate, String parameters) {
    /** @return the attribute value after {@code a=rtpmap:}. */
    public String format() {
        return payloadType + " " + encodingName + '/' + clockRate + (parameters == null ? "" : "/" + parameters);
    }

    /** @return channels from the encoding parameters, 1 when absent or not a number. */
    public int channels() {
        final int channels = SessionDescription.parseNonNegative(parameters);
        return channels > 0 ? channels : 1;
    }
}
