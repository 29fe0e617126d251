package io.hopgate.media;

import io.hopgate.rtp.RtpValidation;

import java.util.Locale;

/**
 * Every count the media plane keeps for a termination, described once: its metric name (Micrometer style; the
 * Prometheus name adds {@code _total}), an optional tag, a unit and a help text. The per-termination counters, the
 * statistics Subtract returns, the plane's totals, {@code /contexts} and the metrics are all laid out by this enum,
 * so a new count is one new constant.
 */
public enum Counter {
    RECEIVED("hopgate.packets.received", null, null, "packets", "packets received from outside (RTP and RTCP)"),
    RECEIVED_OCTETS("hopgate.octets.received", null, null, "octets", "octets received from outside"),
    SENT("hopgate.packets.sent", null, null, "packets", "packets sent out (RTP and RTCP)"),
    SENT_OCTETS("hopgate.octets.sent", null, null, "octets", "octets sent out"),
    RTCP_RECEIVED("hopgate.rtcp.packets.received", null, null, "packets", "RTCP packets received from outside"),
    RTCP_SENT("hopgate.rtcp.packets.sent", null, null, "packets", "RTCP packets sent out"),
    DROPPED_MODE(DropReason.MODE),
    DROPPED_SOURCE(DropReason.SOURCE),
    DROPPED_MALFORMED(DropReason.MALFORMED),
    DROPPED_NO_ROUTE(DropReason.NO_ROUTE),
    DROPPED_DUPLICATE(DropReason.DUPLICATE),
    DROPPED_SEND_FAILED(DropReason.SEND_FAILED),
    MALFORMED_TOO_SHORT(RtpValidation.TOO_SHORT, "too_short"),
    MALFORMED_BAD_VERSION(RtpValidation.BAD_VERSION, "bad_version"),
    MALFORMED_BAD_CSRC_LENGTH(RtpValidation.BAD_CSRC_LENGTH, "bad_csrc_length"),
    MALFORMED_BAD_EXTENSION_LENGTH(RtpValidation.BAD_EXTENSION_LENGTH, "bad_extension_length"),
    MALFORMED_BAD_PADDING(RtpValidation.BAD_PADDING, "bad_padding"),
    UNREACHABLE("hopgate.peer.unreachable", null, null, "events",
        "times the kernel reported a leg's peer unreachable (ICMP)"),
    LATCHED("hopgate.source.latched", null, null, "events", "times latching moved a leg to the stream's new source"),
    MOVE_FLUSHED("hopgate.move.buffer.packets", "outcome", "flushed", "packets", Help.MOVE),
    MOVE_OVERFLOW("hopgate.move.buffer.packets", "outcome", "overflow", "packets", Help.MOVE),
    MOVE_STALE("hopgate.move.buffer.packets", "outcome", "stale", "packets", Help.MOVE);

    private static final Counter[] DROPS = new Counter[DropReason.values().length];
    private static final Counter[] MALFORMED_BY_CODE = new Counter[RtpValidation.CODE_COUNT];

    static {
        for (Counter c : values()) {
            if (c.dropReason != null) {
                DROPS[c.dropReason.ordinal()] = c;
            }
            if (c.validationCode > 0) {
                MALFORMED_BY_CODE[c.validationCode] = c;
            }
        }
    }

    private final String metric;
    private final String tagKey;
    private final String tagValue;
    private final String unit;
    private final String help;
    private final DropReason dropReason;
    private final int validationCode;

    Counter(String metric, String tagKey, String tagValue, String unit, String help) {
        this(metric, tagKey, tagValue, unit, help, null, 0);
    }

    Counter(DropReason reason) {
        this("hopgate.packets.dropped", "reason", reason.name().toLowerCase(Locale.ROOT), "packets",
            "packets dropped, by reason", reason, 0);
    }

    Counter(int validationCode, String cause) {
        // One help text per metric name: Prometheus has one HELP line per family.
        this("hopgate.packets.malformed", "cause", cause, "packets",
            "malformed packets (also counted as dropped, reason malformed), by what was wrong", null, validationCode);
    }

    Counter(String metric, String tagKey, String tagValue, String unit, String help, DropReason dropReason,
            int validationCode) {
        this.metric = metric;
        this.tagKey = tagKey;
        this.tagValue = tagValue;
        this.unit = unit;
        this.help = help;
        this.dropReason = dropReason;
        this.validationCode = validationCode;
    }

    /** The counter of packets dropped for {@code reason}. */
    public static Counter dropped(DropReason reason) {
        return DROPS[reason.ordinal()];
    }

    /** The counter of malformed packets with validation code {@code code}, or null for OK or an unknown code. */
    static Counter malformed(int code) {
        return code > 0 && code < MALFORMED_BY_CODE.length ? MALFORMED_BY_CODE[code] : null;
    }

    /** Metric name, e.g. {@code hopgate.packets.dropped}; several constants share one name with different tags. */
    public String metric() {
        return metric;
    }

    /** Tag key of this constant's metric, or null when it has none. */
    public String tagKey() {
        return tagKey;
    }

    public String tagValue() {
        return tagValue;
    }

    public String unit() {
        return unit;
    }

    public String help() {
        return help;
    }

    /** The key under which {@code /contexts} lists it, e.g. {@code received}, {@code dropped.mode}. */
    public String key() {
        String base = metric.substring("hopgate.".length());
        return tagValue == null ? base : base + "." + tagValue;
    }

    private static final class Help {
        static final String MOVE = "packets held for a moving leg, by outcome: flushed to the new address, dropped as "
            + "overflow or as too old";
    }
}
