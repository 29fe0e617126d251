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
public final class SessionDescription
{
    /** Upper bound on lines, so a hostile descriptor cannot make the parser build an unbounded model. */
    public static final int MAX_LINES = 1000;

    /** A line kept verbatim: its type letter and the text after '='. */
    record Line(char type, String value)
    {
    }

    private final int version;
    private final String origin;
    private final String sessionName;
    private final Connection connection;
    private final List<Line> otherLines;
    private final List<String> attributes;
    private final List<MediaDescription> media;

    private SessionDescription(
        final int version,
        final String origin,
        final String sessionName,
        final Connection connection,
        final List<Line> otherLines,
        final List<String> attributes,
        final List<MediaDescription> media)
    {
        this.version = version;
        this.origin = origin;
        this.sessionName = sessionName;
        this.connection = connection;
        this.otherLines = List.copyOf(otherLines);
        this.attributes = List.copyOf(attributes);
        this.media = List.copyOf(media);
    }

    /** A minimal description: {@code v=0}, an optional session-level connection and the given media. */
    public static SessionDescription of(final Connection connection, final List<MediaDescription> media)
    {
        return new SessionDescription(0, null, null, connection, List.of(), List.of(), media);
    }

    /**
     * Parses SDP text. Lines may end in CRLF or LF; blank lines are skipped.
     *
     * @throws SdpException naming the line when the text is not SDP this gateway can use.
     */
    public static SessionDescription parse(final String text) throws SdpException
    {
        if (text == null)
        {
            throw new SdpException(1, "", "no SDP text");
        }

        int version = -1;
        String origin = null;
        String sessionName = null;
        Connection sessionConnection = null;
        final List<Line> sessionLines = new ArrayList<>();
        final List<String> sessionAttributes = new ArrayList<>();
        final List<MediaDescription> media = new ArrayList<>();
        MediaBuilder current = null;

        final String[] lines = text.split("\r?\n", -1);
        int lineNumber = 0;
        int nonBlank = 0;
        for (final String rawLine : lines)
        {
            lineNumber++;
            final String line = stripCarriageReturn(rawLine);
            if (line.isBlank())
            {
                continue;
            }
            if (++nonBlank > MAX_LINES)
            {
                throw new SdpException(lineNumber, line, "more than " + MAX_LINES + " lines");
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z')
            {
                throw new SdpException(lineNumber, line, "expected <type>=<value> with a lower-case type letter");
            }
            if (line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0)
            {
                // RFC 4566 section 5: no field may contain CR or NUL; a bare CR would also not survive a round trip
                throw new SdpException(lineNumber, line, "line contains a bare CR or a NUL character");
            }
            final char type = line.charAt(0);
            final String value = line.substring(2);

            if (version < 0)
            {
                if (type != 'v')
                {
                    throw new SdpException(lineNumber, line, "missing v= line: SDP must start with v=0");
                }
                version = parseNonNegative(value.trim());
                if (version != 0)
                {
                    throw new SdpException(lineNumber, line, "unsupported SDP version, expected v=0");
                }
                continue;
            }

            switch (type)
            {
                case 'v':
                    throw new SdpException(lineNumber, line, "second v= line");

                case 'm':
                    if (current != null)
                    {
                        media.add(current.build());
                    }
                    current = parseMediaLine(lineNumber, line, value);
                    break;

                case 'c':
                    final Connection connection = parseConnection(lineNumber, line, value);
                    if (current == null)
                    {
                        if (sessionConnection != null)
                        {
                            throw new SdpException(lineNumber, line, "second session-level c= line");
                        }
                        sessionConnection = connection;
                    }
                    else
                    {
                        if (current.connection != null)
                        {
                            throw new SdpException(lineNumber, line, "second c= line in one media section");
                        }
                        current.connection = connection;
                    }
                    break;

                case 'a':
                    if (current == null)
                    {
                        checkAttribute(lineNumber, line, value, null);
                        sessionAttributes.add(value);
                    }
                    else
                    {
                        checkAttribute(lineNumber, line, value, current.rtpMaps);
                        current.attributes.add(value);
                    }
                    break;

                case 'o':
                case 's':
                    if (current != null)
                    {
                        throw new SdpException(lineNumber, line, type + "= is a session-level line, found after m=");
                    }
                    if (type == 'o')
                    {
                        if (origin != null)
                        {
                            throw new SdpException(lineNumber, line, "second o= line");
                        }
                        origin = value;
                    }
                    else
                    {
                        if (sessionName != null)
                        {
                            throw new SdpException(lineNumber, line, "second s= line");
                        }
                        sessionName = value;
                    }
                    break;

                default:
                    // i, u, e, p, b, t, r, z, k and types this gateway does not know: kept verbatim (RFC 4566
                    // section 5 says unknown types are ignored, and a relay should not lose them)
                    (current == null ? sessionLines : current.otherLines).add(new Line(type, value));
                    break;
            }
        }

        if (version < 0)
        {
            throw new SdpException(Math.max(lineNumber, 1), "", "missing v= line: SDP must start with v=0");
        }
        if (current != null)
        {
            media.add(current.build());
        }
        return new SessionDescription(
            version, origin, sessionName, sessionConnection, sessionLines, sessionAttributes, media);
    }

    private static String stripCarriageReturn(final String line)
    {
        // trailing CRs (mixed or doubled line ends) are not part of the value
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == '\r')
        {
            end--;
        }
        return line.substring(0, end);
    }

    private static MediaBuilder parseMediaLine(final int lineNumber, final String line, final String value)
        throws SdpException
    {
        final String[] tokens = value.trim().split("\\s+");
        if (tokens.length < 4)
        {
            throw new SdpException(lineNumber, line,
                "bad m= line, expected m=<media> <port>[/<count>] <proto> <format>...");
        }

        final String portToken = tokens[1];
        final int slash = portToken.indexOf('/');
        final String portText = slash < 0 ? portToken : portToken.substring(0, slash);
        final int port;
        if ("$".equals(portText))
        {
            port = MediaDescription.CHOOSE;
        }
        else
        {
            port = parseNonNegative(portText);
            if (port < 0)
            {
                throw new SdpException(lineNumber, line, "port '" + portText + "' is not a number or $");
            }
            if (port > 65535)
            {
                throw new SdpException(lineNumber, line, "port " + port + " out of range 0..65535");
            }
        }
        int portCount = 0;
        if (slash >= 0)
        {
            portCount = parseNonNegative(portToken.substring(slash + 1));
            if (portCount <= 0)
            {
                throw new SdpException(lineNumber, line,
                    "port count '" + portToken.substring(slash + 1) + "' is not a positive number");
            }
        }

        final List<String> formats = new ArrayList<>(tokens.length - 3);
        for (int i = 3; i < tokens.length; i++)
        {
            formats.add(tokens[i]);
        }
        return new MediaBuilder(tokens[0], port, portCount, tokens[2], formats);
    }

    private static Connection parseConnection(final int lineNumber, final String line, final String value)
        throws SdpException
    {
        final String[] tokens = value.trim().split("\\s+");
        if (tokens.length != 3)
        {
            throw new SdpException(lineNumber, line, "bad c= line, expected c=IN <IP4|IP6> <address|$>");
        }
        if (!Connection.IN.equals(tokens[0]))
        {
            throw new SdpException(lineNumber, line, "network type '" + tokens[0] + "' is not IN");
        }
        final String addressType = tokens[1];
        final String address = tokens[2];
        if (!Connection.IP4.equals(addressType) && !Connection.IP6.equals(addressType))
        {
            throw new SdpException(lineNumber, line, "address type '" + addressType + "' is not IP4 or IP6");
        }
        if (!Connection.CHOOSE.equals(address) && !plausibleAddress(addressType, address))
        {
            throw new SdpException(lineNumber, line, "'" + address + "' is not an " + addressType + " address");
        }
        return new Connection(tokens[0], addressType, address);
    }

    /** Light check: the right characters for the address type, or a host name. Not a resolver. */
    static boolean plausibleAddress(final String addressType, final String address)
    {
        if (address.isEmpty() || address.length() > 255)
        {
            return false;
        }
        if (isHostName(address))
        {
            return !Connection.IP4.equals(addressType) || !looksNumeric(address) || isDottedQuad(address);
        }
        if (Connection.IP4.equals(addressType))
        {
            // multicast: 224.2.1.1/127[/3]
            final int slash = address.indexOf('/');
            return isDottedQuad(slash < 0 ? address : address.substring(0, slash));
        }
        int colons = 0;
        for (int i = 0; i < address.length(); i++)
        {
            final char c = address.charAt(i);
            if (c == ':')
            {
                colons++;
            }
            else if (Character.digit(c, 16) < 0 && c != '.' && c != '/')
            {
                return false;
            }
        }
        return colons >= 2;
    }

    private static boolean isHostName(final String address)
    {
        for (int i = 0; i < address.length(); i++)
        {
            final char c = address.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'))
            {
                return false;
            }
        }
        return address.charAt(0) != '.' && address.charAt(0) != '-';
    }

    private static boolean looksNumeric(final String address)
    {
        for (int i = 0; i < address.length(); i++)
        {
            final char c = address.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.'))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isDottedQuad(final String address)
    {
        final String[] parts = address.split("\\.", -1);
        if (parts.length != 4)
        {
            return false;
        }
        for (final String part : parts)
        {
            if (part.isEmpty() || part.length() > 3)
            {
                return false;
            }
            final int octet = parseNonNegative(part);
            if (octet < 0 || octet > 255)
            {
                return false;
            }
        }
        return true;
    }

    private static void checkAttribute(
        final int lineNumber, final String line, final String value, final List<RtpMap> rtpMaps)
        throws SdpException
    {
        if (!value.startsWith("rtpmap:"))
        {
            return;
        }
        if (rtpMaps == null)
        {
            throw new SdpException(lineNumber, line, "a=rtpmap belongs in a media section, found before m=");
        }
        final String body = value.substring(7).trim();
        final int space = body.indexOf(' ');
        final int payloadType = space < 0 ? -1 : parseNonNegative(body.substring(0, space));
        if (payloadType < 0 || payloadType > 127)
        {
            throw new SdpException(lineNumber, line,
                "bad a=rtpmap, expected a=rtpmap:<payload type 0..127> <encoding>/<clock rate>[/<parameters>]");
        }
        final String[] encoding = body.substring(space + 1).trim().split("/", 3);
        final int clockRate = encoding.length >= 2 ? parseNonNegative(encoding[1]) : -1;
        if (encoding[0].isEmpty() || clockRate <= 0)
        {
            throw new SdpException(lineNumber, line, "bad a=rtpmap clock rate, expected <encoding>/<clock rate>");
        }
        rtpMaps.add(new RtpMap(payloadType, encoding[0], clockRate, encoding.length == 3 ? encoding[2] : null));
    }

    /** @return the decimal value of {@code text}, or -1 when it is not a non-negative int. Never throws. */
    static int parseNonNegative(final String text)
    {
        if (text == null || text.isEmpty() || text.length() > 10)
        {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value <= Integer.MAX_VALUE ? (int)value : -1;
    }

    static void checkPort(final int port)
    {
        if (port != MediaDescription.CHOOSE && (port < 0 || port > 65535))
        {
            throw new IllegalArgumentException("port " + port + " out of range 0..65535 (or CHOOSE=-1 for $)");
        }
    }

    public int version()
    {
        return version;
    }

    /** @return the text after {@code o=}, or null when absent (H.248 descriptors usually omit it). */
    public String origin()
    {
        return origin;
    }

    /** @return the text after {@code s=}, or null when absent. */
    public String sessionName()
    {
        return sessionName;
    }

    /** @return the text after the first {@code t=}, or null when absent. */
    public String timing()
    {
        for (final Line line : otherLines)
        {
            if (line.type() == 't')
            {
                return line.value();
            }
        }
        return null;
    }

    /** @return the session-level {@code c=} line, or null. */
    public Connection connection()
    {
        return connection;
    }

    /** @return session-level attribute values after {@code a=}, verbatim and in order. */
    public List<String> attributes()
    {
        return attributes;
    }

    /** @return the session-level direction attribute, or null. */
    public Direction direction()
    {
        Direction direction = null;
        for (final String attribute : attributes)
        {
            final Direction named = Direction.fromAttribute(attribute);
            direction = named != null ? named : direction;
        }
        return direction;
    }

    /** @return media-level direction, else session-level, else sendrecv (RFC 4566 section 6 default). */
    public Direction direction(final int mediaIndex)
    {
        final Direction mediaDirection = media.get(mediaIndex).direction();
        if (mediaDirection != null)
        {
            return mediaDirection;
        }
        final Direction sessionDirection = direction();
        return sessionDirection != null ? sessionDirection : Direction.SENDRECV;
    }

    public List<MediaDescription> media()
    {
        return media;
    }

    public MediaDescription media(final int index)
    {
        return media.get(index);
    }

    /** @return the first media section, or null when there is none. */
    public MediaDescription firstMedia()
    {
        return media.isEmpty() ? null : media.get(0);
    }

    /** @return the first {@code m=audio} section, or null when there is none. */
    public MediaDescription audio()
    {
        for (final MediaDescription m : media)
        {
            if ("audio".equals(m.media()))
            {
                return m;
            }
        }
        return null;
    }

    /** @return index of the first {@code m=audio} section, else of the first media, else -1. */
    private int audioIndex()
    {
        for (int i = 0; i < media.size(); i++)
        {
            if ("audio".equals(media.get(i).media()))
            {
                return i;
            }
        }
        return media.isEmpty() ? -1 : 0;
    }

    /**
     * @return the connection that applies to media section {@code mediaIndex}: its own c= line, else the
     * session-level one (RFC 4566 section 5.7), else null.
     */
    public Connection connection(final int mediaIndex)
    {
        if (mediaIndex >= 0 && mediaIndex < media.size() && media.get(mediaIndex).connection() != null)
        {
            return media.get(mediaIndex).connection();
        }
        return connection;
    }

    /** @return the connection address for the audio (else first) media, media level winning; null if none. */
    public String connectionAddress()
    {
        final Connection effective = connection(audioIndex());
        return effective == null ? null : effective.address();
    }

    /** @return true when the connection address that applies to the audio (else first) media is {@code $}. */
    public boolean isConnectionChoose()
    {
        final Connection effective = connection(audioIndex());
        return effective != null && effective.isChoose();
    }

    /**
     * @return the port of the audio (else first) media, or {@link MediaDescription#CHOOSE} for {@code $}.
     * @throws IllegalStateException when there is no media section.
     */
    public int port()
    {
        return primaryMedia().port();
    }

    /** @return true when the port of the audio (else first) media is {@code $}. */
    public boolean isPortChoose()
    {
        return primaryMedia().isPortChoose();
    }

    /**
     * @return the clock rate of {@code payloadType} in the audio (else first) media: its rtpmap, else the
     * RFC 3551 static table, else {@link StaticPayloadTypes#UNKNOWN}.
     */
    public int clockRate(final int payloadType)
    {
        final int index = audioIndex();
        return index < 0 ? StaticPayloadTypes.clockRate(payloadType) : media.get(index).clockRate(payloadType);
    }

    private MediaDescription primaryMedia()
    {
        final int index = audioIndex();
        if (index < 0)
        {
            throw new IllegalStateException("SDP has no m= line");
        }
        return media.get(index);
    }

    /**
     * @return a copy whose session-level connection is {@code IN addressType address}; media-level c= lines are
     * replaced too, because they would otherwise win over the new session-level one.
     */
    public SessionDescription withConnection(final String addressType, final String address)
    {
        final Connection updated = Connection.in(addressType, address);
        final List<MediaDescription> updatedMedia = new ArrayList<>(media.size());
        for (final MediaDescription m : media)
        {
            updatedMedia.add(m.connection() == null ? m : m.withConnection(updated));
        }
        return new SessionDescription(version, origin, sessionName, updated, otherLines, attributes, updatedMedia);
    }

    /** @return a copy where media section {@code index} has its own c= line. */
    public SessionDescription withMediaConnection(final int index, final String addressType, final String address)
    {
        return withMedia(index, media.get(index).withConnection(Connection.in(addressType, address)));
    }

    /** @return a copy where media section {@code index} has {@code port} (0..65535 or CHOOSE for $). */
    public SessionDescription withMediaPort(final int index, final int port)
    {
        return withMedia(index, media.get(index).withPort(port));
    }

    public SessionDescription withMedia(final int index, final MediaDescription replacement)
    {
        final List<MediaDescription> updated = new ArrayList<>(media);
        updated.set(index, Objects.requireNonNull(replacement, "replacement"));
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes, updated);
    }

    public SessionDescription withOrigin(final String origin)
    {
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes, media);
    }

    public SessionDescription withSessionName(final String sessionName)
    {
        return new SessionDescription(version, origin, sessionName, connection, otherLines, attributes, media);
    }

    /**
     * @param lineSeparator "\r\n" as RFC 4566 requires on the wire, or "\n" as H.248 text encoding commonly uses.
     * @return the description in RFC 4566 line order, every line (the last too) ended by {@code lineSeparator}.
     */
    public String format(final String lineSeparator)
    {
        final StringBuilder out = new StringBuilder(256);
        out.append("v=").append(version).append(lineSeparator);
        if (origin != null)
        {
            out.append("o=").append(origin).append(lineSeparator);
        }
        if (sessionName != null)
        {
            out.append("s=").append(sessionName).append(lineSeparator);
        }
        // RFC 4566 section 5 order: v o s i u e p c b t r z k a
        appendWithConnection(out, otherLines, connection, "btrzk", lineSeparator);
        for (final String attribute : attributes)
        {
            out.append("a=").append(attribute).append(lineSeparator);
        }
        for (final MediaDescription m : media)
        {
            m.format(out, lineSeparator);
        }
        return out.toString();
    }

    /** @return {@link #format(String)} with CRLF. */
    public String format()
    {
        return format("\r\n");
    }

    /**
     * Writes the verbatim lines in the order they were parsed, with the c= line before the first line whose type
     * comes after c= in RFC 4566 order. Keeping the parsed order (rather than sorting by type) makes
     * parse(format(x)) equal x even for out-of-order input; input in RFC order comes back unchanged.
     */
    static void appendWithConnection(
        final StringBuilder out, final List<Line> lines, final Connection connection, final String typesAfter,
        final String eol)
    {
        boolean connectionWritten = connection == null;
        for (final Line line : lines)
        {
            if (!connectionWritten && typesAfter.indexOf(line.type()) >= 0)
            {
                out.append("c=").append(connection.format()).append(eol);
                connectionWritten = true;
            }
            out.append(line.type()).append('=').append(line.value()).append(eol);
        }
        if (!connectionWritten)
        {
            out.append("c=").append(connection.format()).append(eol);
        }
    }

    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof SessionDescription))
        {
            return false;
        }
        final SessionDescription that = (SessionDescription)o;
        return version == that.version && Objects.equals(origin, that.origin) &&
            Objects.equals(sessionName, that.sessionName) && Objects.equals(connection, that.connection) &&
            otherLines.equals(that.otherLines) && attributes.equals(that.attributes) && media.equals(that.media);
    }

    public int hashCode()
    {
        return Objects.hash(version, origin, sessionName, connection, attributes, media);
    }

    /** @return {@link #format()}: CRLF separated SDP text. */
    public String toString()
    {
        return format();
    }

    private static final class MediaBuilder
    {
        final String media;
        final int port;
        final int portCount;
        final String proto;
        final List<String> formats;
        Connection connection;
        final List<Line> otherLines = new ArrayList<>();
        final List<String> attributes = new ArrayList<>();
        final List<RtpMap> rtpMaps = new ArrayList<>();

        MediaBuilder(final String media, final int port, final int portCount, final String proto,
            final List<String> formats)
        {
            this.media = media;
            this.port = port;
            this.portCount = portCount;
            this.proto = proto;
            this.formats = formats;
        }

        MediaDescription build()
        {
            return new MediaDescription(
                media, port, portCount, proto, formats, connection, otherLines, attributes, rtpMaps);
        }
    }
}
