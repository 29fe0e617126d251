package io.hopgate.rtp.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An SDP session description (RFC 4566 subset), immutable. {@link #parse(String)} reads what H.248 peers put
 * in Local and Remote descriptors, from the bare {@code v=0 / c=IN IP4 $ / m=audio $ RTP/AVP 0} with no o=, s=
 * or t= lines up to a full SIP offer; {@link #format(String)} writes it back in RFC 4566 line order.
 *
 * <p>Kept typed: v=, o=, s=, t= (as text), c= (session and media level), m= and the rtpmap, ptime and
 * direction attributes. Every other line is kept verbatim in the order it came, so a round trip changes
 * nothing for a description that was in RFC order to begin with. The wildcard {@code $} is accepted
 * for the connection address and the media port and round-trips.
 */
public final class SessionDescription {
    /** Upper bound on lines, so a hostile descriptor cannot make the parser build an unbounded model. */
    public static final int MAX_LINES = 1000;

    /** A line kept verbatim: its type letter and the text after '='. */
    record Line(char type, String value) {
    }

    private final int version;
    private final String origin;
    private final String sessionName;
    private final Connection connection;
    private final List<Line> otherLines;
    private final List<String> attributes;
    private final List<MediaDescription> media;

    SessionDescription(
        final int version,
        final String origin,
        final String sessionName,
        final Connection connection,
        final List<Line> otherLines,
        final List<String> attributes,
        final List<MediaDescription> media) {
        this.version = version;
        this.origin = origin;
        this.sessionName = sessionName;
        this.connection = connection;
        this.otherLines = List.copyOf(otherLines);
        this.attributes = List.copyOf(attributes);
        this.media = List.copyOf(media);
    }

    /** A minimal description: {@code v=0}, an optional session-level connection and the given media. */
    public static SessionDescription of(final Connection connection, final List<MediaDescription> media) {
        return new SessionDescription(0, null, null, connection, List.of(), List.of(), media);
    }

    /**
     * Parses SDP text. Lines may end in CRLF or LF; blank lines are skipped.
     *
     * @throws SdpException naming the line when the text is not SDP this gateway can use.
     */
    public static SessionDescription parse(final String text) throws SdpException {
        return SdpParser.parse(text);
    }

    /** @return the decimal value of {@code text}, or -1 when it is not a non-negative int. Never throws. */
    static int parseNonNegative(final String text) {
        if (text == null || text.isEmpty() || text.length() > 10) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= Integer.MAX_VALUE ? (int)value : -1;
    }

    static void checkPort(final int port) {
        if (port != MediaDescription.CHOOSE && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("port " + port + " out of range 0..65535 (or CHOOSE=-1 for $)");
        }
    }

    public int version() {
        return version;
    }

    /** @return the text after {@code o=}, or null when absent (H.248 descriptors usually omit it). */
    public String origin() {
        return origin;
    }

    /** @return the text after {@code s=}, or null when absent. */
    public String sessionName() {
        return sessionName;
    }

    /** @return the text after the first {@code t=}, or null when absent. */
    public String timing() {
        for (final Line line : otherLines) {
            if (line.type() == 't') {
                return line.value();
            }
        }
        return null;
    }

    /** @return the session-level {@code c=} line, or null. */
    public Connection connection() {
        return connection;
    }

    /** @return session-level attribute values after {@code a=}, verbatim and in order. */
    public List<String> attributes() {
        return attributes;
    }

    /** @return the session-level direction attribute, or null. */
    public Direction direction() {
        Direction direction = null;
        for (final String attribute : attributes) {
            final Direction named = Direction.fromAttribute(attribute);
            direction = named != null ? named : direction;
        }
        return direction;
    }

    /** @return media-level direction, else session-level, else sendrecv (RFC 4566 section 6 default). */
    public Direction direction(final int mediaIndex) {
        final Direction mediaDirection = media.get(mediaIndex).direction();
        if (mediaDirection != null) {
            return mediaDirection;
        }
        final Direction sessionDirection = direction();
        return sessionDirection != null ? sessionDirection : Direction.SENDRECV;
    }

    public List<MediaDescription> media() {
        return media;
    }

    public MediaDescription media(final int index) {
        return media.get(index);
    }

    /** @return the first media section, or null when there is none. */
    public MediaDescription firstMedia() {
        return media.isEmpty() ? null : media.get(0);
    }

    /** @return the first {@code m=audio} section, or null when there is none. */
    public MediaDescription audio() {
        for (final MediaDescription m : media) {
            if ("audio".equals(m.media())) {
                return m;
            }
        }
        return null;
    }

    /**
     * @return index of the first {@code m=audio} section, else of the first media, else -1: the one stream a
     * gateway leg carries.
     */
    public int audioIndex() {
        for (int i = 0; i < media.size(); i++) {
            if ("audio".equals(media.get(i).media())) {
                return i;
            }
        }
        return media.isEmpty() ? -1 : 0;
    }

    /**
     * @return the connection that applies to media section {@code mediaIndex}: its own c= line, else the
     * session-level one (RFC 4566 section 5.7), else null.
     */
    public Connection connection(final int mediaIndex) {
        if (mediaIndex >= 0 && mediaIndex < media.size() && media.get(mediaIndex).connection() != null) {
            return media.get(mediaIndex).connection();
        }
        return connection;
    }

    /** @return the connection address for the audio (else first) media, media level winning; null if none. */
    public String connectionAddress() {
        final Connection effective = connection(audioIndex());
        return effective == null ? null : effective.address();
    }

    /** @return true when the connection address that applies to the audio (else first) media is {@code $}. */
    public boolean isConnectionChoose() {
        final Connection effective = connection(audioIndex());
        return effective != null && effective.isChoose();
    }

    /**
     * @return the port of the audio (else first) media, or {@link MediaDescription#CHOOSE} for {@code $}.
     * @throws IllegalStateException when there is no media section.
     */
    public int port() {
        return primaryMedia().port();
    }

    /** @return true when the port of the audio (else first) media is {@code $}. */
    public boolean isPortChoose() {
        return primaryMedia().isPortChoose();
    }

    /**
     * @return the clock rate of {@code payloadType} in the audio (else first) media: its rtpmap, else the
     * RFC 3551 static table, else {@link StaticPayloadTypes#UNKNOWN}.
     */
    public int clockRate(final int payloadType) {
        final int index = audioIndex();
        return index < 0 ? StaticPayloadTypes.clockRate(payloadType) : media.get(index).clockRate(payloadType);
    }

    private MediaDescription primaryMedia() {
        final int index = audioIndex();
        if (index < 0) {
            throw new IllegalStateException("SDP has no m= line");
        }
        return media.get(index);
    }

    /**
     * @return a copy whose session-level connection is {@code IN addressType address}; media-level c= lines are
     * replaced too, because they would otherwise win over the new session-level one.
     */
    public SessionDescription withConnection(final String addressType, final String address) {
        final Connection updated = Connection.in(addressType, address);
        final List<MediaDescription> updatedMedia = new ArrayList<>(media.size());
        for (final MediaDescription m : media) {
            updatedMedia.add(m.connection() == null ? m : m.withConnection(updated));
        }
        return new SessionDescription(version, origin, sessionName, updated, otherLines, attributes, updatedMedia);
    }

    /** @return a copy where media section {@code index} has its own c= line. */
    public SessionDescription withMediaConnection(final int index, final String addressType, final String address) {
        return withMedia(index, media.get(index).withConnection(Connection.in(addressType, address)));
    }

    /** @return a copy where media section {@code index} has {@code port} (0..65535 or CHOOSE for $). */
    public SessionDescription withMediaPort(final int index, final int port) {
        return withMedia(index, media.get(index).withPort(port));
    }

    /** @return a copy with media section {@code index} only, or this when there is no such section. */
    public SessionDescription onlyMedia(final int index) {
        if (index < 0 || index >= media.size() || media.size() == 1) {
            return this;
        }
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes,
            List.of(media.get(index)));
    }

    public SessionDescription withMedia(final int index, final MediaDescription replacement) {
        final List<MediaDescription> updated = new ArrayList<>(media);
        updated.set(index, Objects.requireNonNull(replacement, "replacement"));
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes, updated);
    }

    public SessionDescription withOrigin(final String origin) {
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes, media);
    }

    public SessionDescription withSessionName(final String sessionName) {
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes, media);
    }

    /**
     * @param lineSeparator "\r\n" as RFC 4566 requires on the wire, or "\n" as H.248 text encoding commonly uses.
     * @return the description in RFC 4566 line order, every line (the last too) ended by {@code lineSeparator}.
     */
    public String format(final String lineSeparator) {
        final StringBuilder out = new StringBuilder(256);
        out.append("v=").append(version).append(lineSeparator);
        if (origin != null) {
            out.append("o=").append(origin).append(lineSeparator);
        }
        if (sessionName != null) {
            out.append("s=").append(sessionName).append(lineSeparator);
        }
        // RFC 4566 section 5 order: v o s i u e p c b t r z k a
        appendWithConnection(out, otherLines, connection, "btrzk", lineSeparator);
        for (final String attribute : attributes) {
            out.append("a=").append(attribute).append(lineSeparator);
        }
        for (final MediaDescription m : media) {
            m.format(out, lineSeparator);
        }
        return out.toString();
    }

    /** @return {@link #format(String)} with CRLF. */
    public String format() {
        return format("\r\n");
    }

    /**
     * Writes the verbatim lines in the order they were parsed, with the c= line before the first line whose type
     * comes after c= in RFC 4566 order. Keeping the parsed order (rather than sorting by type) makes
     * parse(format(x)) equal x even for out-of-order input; input in RFC order comes back unchanged.
     */
    static void appendWithConnection(
        final StringBuilder out, final List<Line> lines, final Connection connection, final String typesAfter,
        final String eol) {
        boolean connectionWritten = connection == null;
        for (final Line line : lines) {
            if (!connectionWritten && typesAfter.indexOf(line.type()) >= 0) {
                out.append("c=").append(connection.format()).append(eol);
                connectionWritten = true;
            }
            out.append(line.type()).append('=').append(line.value()).append(eol);
        }
        if (!connectionWritten) {
            out.append("c=").append(connection.format()).append(eol);
        }
    }

    public boolean equals(final Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SessionDescription)) {
            return false;
        }
        final SessionDescription that = (SessionDescription)o;
        return version == that.version && Objects.equals(origin, that.origin) &&
            Objects.equals(sessionName, that.sessionName) && Objects.equals(connection, that.connection) &&
            otherLines.equals(that.otherLines) && attributes.equals(that.attributes) && media.equals(that.media);
    }

    public int hashCode() {
        return Objects.hash(version, origin, sessionName, connection, attributes, media);
    }

    /** @return {@link #format()}: CRLF separated SDP text. */
    public String toString() {
        return format();
    }
}
