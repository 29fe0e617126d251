package io.hopgate.rtp.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * One media section: the {@code m=} line and the lines that follow it up to the next {@code m=}. Immutable.
 * Attributes are kept verbatim and in order so that formatting gives back what was parsed; rtpmap, ptime and
 * direction are also offered typed.
 */
public final class MediaDescription {
    /** The port is {@code $}: the gateway chooses. */
    public static final int CHOOSE = -1;
    public static final int NO_PTIME = -1;

    private final String media;
    private final int port;
    private final int portCount;
    private final String proto;
    private final List<String> formats;
    private final Connection connection;
    private final List<SessionDescription.Line> otherLines;
    private final List<String> attributes;

    private final List<RtpMap> rtpMaps;
    private final int ptime;
    private final Direction direction;

    MediaDescription(
        final String media,
        final int port,
        final int portCount,
        final String proto,
        final List<String> formats,
        final Connection connection,
        final List<SessionDescription.Line> otherLines,
        final List<String> attributes,
        final List<RtpMap> rtpMaps) {
        this.media = media;
        this.port = port;
        this.portCount = portCount;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.connection = connection;
        this.otherLines = List.copyOf(otherLines);
        this.attributes = List.copyOf(attributes);
        this.rtpMaps = List.copyOf(rtpMaps);

        int ptime = NO_PTIME;
        Direction direction = null;
        for (final String attribute : attributes) {
            if (attribute.startsWith("ptime:")) {
                // a non-integer ptime is kept verbatim but not offered typed
                final int value = SessionDescription.parseNonNegative(attribute.substring(6).trim());
                ptime = value > 0 ? value : ptime;
            } else {
                final Direction named = Direction.fromAttribute(attribute);
                direction = named != null ? named : direction;
            }
        }
        this.ptime = ptime;
        this.direction = direction;
    }

    /**
     * A media section with no attributes, e.g. {@code media("audio", CHOOSE, "RTP/AVP", List.of("0"))}.
     */
    public static MediaDescription of(final String media, final int port, final String proto,
        final List<String> formats) {
        SessionDescription.checkPort(port);
        return new MediaDescription(media, port, 0, proto, formats, null, List.of(), List.of(), List.of());
    }

    /** @return the media type: audio, video, image, ... */
    public String media() {
        return media;
    }

    /** @return the port 0..65535, or {@link #CHOOSE} when it is {@code $}. */
    public int port() {
        return port;
    }

    public boolean isPortChoose() {
        return port == CHOOSE;
    }

    /** @return the number of ports from {@code <port>/<number>}, 1 when absent. */
    public int portCount() {
        return portCount == 0 ? 1 : portCount;
    }

    public String proto() {
        return proto;
    }

    /** @return the format list as written: payload type numbers for RTP/AVP. */
    public List<String> formats() {
        return formats;
    }

    /** @return the payload types of the format list that are numbers 0..127, in order. */
    public int[] payloadTypes() {
        final int[] result = new int[formats.size()];
        int count = 0;
        for (final String format : formats) {
            final int payloadType = SessionDescription.parseNonNegative(format);
            if (payloadType >= 0 && payloadType <= 127) {
                result[count++] = payloadType;
            }
        }
        return java.util.Arrays.copyOf(result, count);
    }

    /** @return the media-level {@code c=} line, or null when the session-level one applies. */
    public Connection connection() {
        return connection;
    }

    /** @return the attribute values after {@code a=}, verbatim and in order. */
    public List<String> attributes() {
        return attributes;
    }

    public List<RtpMap> rtpMaps() {
        return rtpMaps;
    }

    /** @return the rtpmap of a payload type, or null. */
    public RtpMap rtpMap(final int payloadType) {
        for (final RtpMap rtpMap : rtpMaps) {
            if (rtpMap.payloadType() == payloadType) {
                return rtpMap;
            }
        }
        return null;
    }

    /**
     * @return the clock rate of a payload type from its rtpmap, else from the static table of RFC 3551, else
     * {@link StaticPayloadTypes#UNKNOWN}.
     */
    public int clockRate(final int payloadType) {
        final RtpMap rtpMap = rtpMap(payloadType);
        return rtpMap != null ? rtpMap.clockRate() : StaticPayloadTypes.clockRate(payloadType);
    }

    /** @return the clock rate of the first payload type in the format list, or UNKNOWN. */
    public int clockRate() {
        final int[] payloadTypes = payloadTypes();
        return payloadTypes.length > 0 ? clockRate(payloadTypes[0]) : StaticPayloadTypes.UNKNOWN;
    }

    /** @return {@code a=ptime} in milliseconds, or {@link #NO_PTIME}. */
    public int ptime() {
        return ptime;
    }

    /** @return the direction attribute of this media section, or null when it has none. */
    public Direction direction() {
        return direction;
    }

    List<SessionDescription.Line> otherLines() {
        return otherLines;
    }

    public MediaDescription withPort(final int port) {
        SessionDescription.checkPort(port);
        return new MediaDescription(
            media, port, portCount, proto, formats, connection, otherLines, attributes, rtpMaps);
    }

    public MediaDescription withConnection(final Connection connection) {
        return new MediaDescription(
            media, port, portCount, proto, formats, connection, otherLines, attributes, rtpMaps);
    }

    /** Replaces any direction attribute with {@code direction} (or removes it when null), keeping the order. */
    public MediaDescription withDirection(final Direction direction) {
        final List<String> updated = new ArrayList<>(attributes.size() + 1);
        boolean replaced = false;
        for (final String attribute : attributes) {
            if (Direction.fromAttribute(attribute) == null) {
                updated.add(attribute);
            } else if (!replaced && direction != null) {
                updated.add(direction.attribute());
                replaced = true;
            }
        }
        if (!replaced && direction != null) {
            updated.add(direction.attribute());
        }
        return new MediaDescription(media, port, portCount, proto, formats, connection, otherLines, updated, rtpMaps);
    }

    /** @return the text after {@code m=}. */
    String formatMediaLine() {
        final StringBuilder builder = new StringBuilder(32);
        builder.append(media).append(' ').append(port == CHOOSE ? "$" : Integer.toString(port));
        if (portCount != 0) {
            builder.append('/').append(portCount);
        }
        builder.append(' ').append(proto);
        for (final String format : formats) {
            builder.append(' ').append(format);
        }
        return builder.toString();
    }

    void format(final StringBuilder out, final String lineSeparator) {
        out.append("m=").append(formatMediaLine()).append(lineSeparator);
        // RFC 4566 order inside a media section: i, c, b, k, a
        SessionDescription.appendWithConnection(out, otherLines, connection, "bk", lineSeparator);
        for (final String attribute : attributes) {
            out.append("a=").append(attribute).append(lineSeparator);
        }
    }

    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MediaDescription)) {
            return false;
        }
        final MediaDescription that = (MediaDescription)o;
        return port == that.port && portCount == that.portCount && media.equals(that.media) &&
            proto.equals(that.proto) && formats.equals(that.formats) &&
            java.util.Objects.equals(connection, that.connection) && otherLines.equals(that.otherLines) &&
            attributes.equals(that.attributes);
    }

    public int hashCode() {
        return java.util.Objects.hash(media, port, proto, formats, connection, attributes);
    }

    public String toString() {
        final StringBuilder builder = new StringBuilder();
        format(builder, "\r\n");
        return builder.toString();
    }
}
