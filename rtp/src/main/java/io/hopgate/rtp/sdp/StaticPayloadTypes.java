package io.hopgate.rtp.sdp;

/**
 * Clock rates of the static RTP payload types of RFC 3551 table 4 and 5, for media lines that list a static
 * payload type without an {@code a=rtpmap} (the usual H.248 case: {@code m=audio $ RTP/AVP 0}).
 */
public final class StaticPayloadTypes {
    public static final int UNKNOWN = -1;

    private static final int[] CLOCK_RATES = new int[35];

    static {
        java.util.Arrays.fill(CLOCK_RATES, UNKNOWN);
        CLOCK_RATES[0] = 8000;      // PCMU
        CLOCK_RATES[3] = 8000;      // GSM
        CLOCK_RATES[4] = 8000;      // G723
        CLOCK_RATES[5] = 8000;      // DVI4
        CLOCK_RATES[6] = 16000;     // DVI4
        CLOCK_RATES[7] = 8000;      // LPC
        CLOCK_RATES[8] = 8000;      // PCMA
        CLOCK_RATES[9] = 8000;      // G722: RFC 3551 4.5.2 fixes 8000 for compatibility, though it samples at 16 kHz
        CLOCK_RATES[10] = 44100;    // L16 stereo
        CLOCK_RATES[11] = 44100;    // L16 mono
        CLOCK_RATES[12] = 8000;     // QCELP
        CLOCK_RATES[13] = 8000;     // CN
        CLOCK_RATES[14] = 90000;    // MPA
        CLOCK_RATES[15] = 8000;     // G728
        CLOCK_RATES[16] = 11025;    // DVI4
        CLOCK_RATES[17] = 22050;    // DVI4
        CLOCK_RATES[18] = 8000;     // G729
        CLOCK_RATES[25] = 90000;    // CelB
        CLOCK_RATES[26] = 90000;    // JPEG
        CLOCK_RATES[28] = 90000;    // nv
        CLOCK_RATES[31] = 90000;    // H261
        CLOCK_RATES[32] = 90000;    // MPV
        CLOCK_RATES[33] = 90000;    // MP2T
        CLOCK_RATES[34] = 90000;    // H263
    }

    private StaticPayloadTypes() {
    }

    /** @return the clock rate in Hz of a static payload type, or {@link #UNKNOWN}. */
    public static int clockRate(final int payloadType) {
        return payloadType >= 0 && payloadType < CLOCK_RATES.length ? CLOCK_RATES[payloadType] : UNKNOWN;
    }
}
