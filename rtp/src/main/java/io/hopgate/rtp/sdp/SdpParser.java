package io.hopgate.rtp.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads SDP text into a {@link SessionDescription}, one line at a time: each line type has its own method, the
 * parser's fields are the description built so far. One instance per text; {@link SessionDescription#parse}
 * is the public entry point.
 */
final class SdpParser {
    private int version = -1;
    private String origin;
    private String sessionName;
    private Connection sessionConnection;
    private final List<SessionDescription.Line> sessionLines = new ArrayList<>();
    private final List<String> sessionAttributes = new ArrayList<>();
    private final List<MediaDescription> media = new ArrayList<>();
    /** The media section being read (after its m= line), or null while reading session-level lines. */
    private MediaBuilder current;

    private SdpParser() {
    }

    static SessionDescription parse(final String text) throws SdpException {
        if (text == null) {
            throw new SdpException(1, "", "no SDP text");
        }
        final SdpParser parser = new SdpParser();
        final String[] lines = text.split("\r?\n", -1);
        int lineNumber = 0;
        int nonBlank = 0;
        for (final String rawLine : lines) {
            lineNumber++;
            final String line = stripCarriageReturn(rawLine);
            if (line.isBlank()) {
                continue;
            }
            if (++nonBlank > SessionDescription.MAX_LINES) {
                throw new SdpException(lineNumber, line, "more than " + SessionDescription.MAX_LINES + " lines");
            }
            parser.onLine(lineNumber, line);
        }
        return parser.finish(lineNumber);
    }

    private void onLine(final int lineNumber, final String line) throws SdpException {
        if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
            throw new SdpException(lineNumber, line, "expected <type>=<value> with a lower-case type letter");
        }
        if (line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0) {
            // RFC 4566 section 5: no field may contain CR or NUL; a bare CR would also not survive a round trip
            throw new SdpException(lineNumber, line, "line contains a bare CR or a NUL character");
        }
        final char type = line.charAt(0);
        final String value = line.substring(2);

        if (version < 0) {
            onVersion(lineNumber, line, type, value);
            return;
        }
        switch (type) {
            case 'v':
                throw new SdpException(lineNumber, line, "second v= line");
            case 'm':
                if (current != null) {
                    media.add(current.build());
                }
                current = parseMediaLine(lineNumber, line, value);
                break;
            case 'c':
                onConnection(lineNumber, line, parseConnection(lineNumber, line, value));
                break;
            case 'a':
                onAttribute(lineNumber, line, value);
                break;
            case 'o':
            case 's':
                onSessionLine(lineNumber, line, type, value);
                break;
            default:
                // i, u, e, p, b, t, r, z, k and types this gateway does not know: kept verbatim (RFC 4566
                // section 5 says unknown types are ignored, and a relay should not lose them)
                (current == null ? sessionLines : current.otherLines).add(new SessionDescription.Line(type, value));
                break;
        }
    }

    private void onVersion(final int lineNumber, final String line, final char type, final String value)
        throws SdpException {
        if (type != 'v') {
            throw new SdpException(lineNumber, line, "missing v= line: SDP must start with v=0");
        }
        version = SessionDescription.parseNonNegative(value.trim());
        if (version != 0) {
            throw new SdpException(lineNumber, line, "unsupported SDP version, expected v=0");
        }
    }

    private void onConnection(final int lineNumber, final String line, final Connection connection)
        throws SdpException {
        if (current == null) {
            if (sessionConnection != null) {
                throw new SdpException(lineNumber, line, "second session-level c= line");
            }
            sessionConnection = connection;
        } else {
            if (current.connection != null) {
                throw new SdpException(lineNumber, line, "second c= line in one media section");
            }
            current.connection = connection;
        }
    }

    private void onAttribute(final int lineNumber, final String line, final String value) throws SdpException {
        if (current == null) {
            checkAttribute(lineNumber, line, value, null);
            sessionAttributes.add(value);
        } else {
            checkAttribute(lineNumber, line, value, current.rtpMaps);
            current.attributes.add(value);
        }
    }

    private void onSessionLine(final int lineNumber, final String line, final char type, final String value)
        throws SdpException {
        if (current != null) {
            throw new SdpException(lineNumber, line, type + "= is a session-level line, found after m=");
        }
        if (type == 'o') {
            if (origin != null) {
                throw new SdpException(lineNumber, line, "second o= line");
            }
            origin = value;
        } else {
            if (sessionName != null) {
                throw new SdpException(lineNumber, line, "second s= line");
            }
            sessionName = value;
        }
    }

    private SessionDescription finish(final int lastLineNumber) throws SdpException {
        if (version < 0) {
            throw new SdpException(Math.max(lastLineNumber, 1), "", "missing v= line: SDP must start with v=0");
        }
        if (current != null) {
            media.add(current.build());
        }
        return new SessionDescription(
            version, origin, sessionName, sessionConnection, sessionLines, sessionAttributes, media);
    }

    private static String stripCarriageReturn(final String line) {
        // trailing CRs (mixed or doubled line ends) are not part of the value
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        return line.substring(0, end);
    }

    private static MediaBuilder parseMediaLine(final int lineNumber, final String line, final String value)
        throws SdpException {
        final String[] tokens = value.trim().split("\\s+");
        if (tokens.length < 4) {
            throw new SdpException(lineNumber, line,
                "bad m= line, expected m=<media> <port>[/<count>] <proto> <format>...");
        }

        final String portToken = tokens[1];
        final int slash = portToken.indexOf('/');
        final String portText = slash < 0 ? portToken : portToken.substring(0, slash);
        final int port;
        if ("$".equals(portText)) {
            port = MediaDescription.CHOOSE;
        } else {
            port = SessionDescription.parseNonNegative(portText);
            if (port < 0) {
                throw new SdpException(lineNumber, line, "port '" + portText + "' is not a number or $");
            }
            if (port > 65535) {
                throw new SdpException(lineNumber, line, "port " + port + " out of range 0..65535");
            }
        }
        int portCount = 0;
        if (slash >= 0) {
            portCount = SessionDescription.parseNonNegative(portToken.substring(slash + 1));
            if (portCount <= 0) {
                throw new SdpException(lineNumber, line,
                    "port count '" + portToken.substring(slash + 1) + "' is not a positive number");
            }
        }

        final List<String> formats = new ArrayList<>(tokens.length - 3);
        for (int i = 3; i < tokens.length; i++) {
            formats.add(tokens[i]);
        }
        return new MediaBuilder(tokens[0], port, portCount, tokens[2], formats);
    }

    private static Connection parseConnection(final int lineNumber, final String line, final String value)
        throws SdpException {
        final String[] tokens = value.trim().split("\\s+");
        if (tokens.length != 3) {
            throw new SdpException(lineNumber, line, "bad c= line, expected c=IN <IP4|IP6> <address|$>");
        }
        if (!Connection.IN.equals(tokens[0])) {
            throw new SdpException(lineNumber, line, "network type '" + tokens[0] + "' is not IN");
        }
        final String addressType = tokens[1];
        final String address = tokens[2];
        if (!Connection.IP4.equals(addressType) && !Connection.IP6.equals(addressType)) {
            throw new SdpException(lineNumber, line, "address type '" + addressType + "' is not IP4 or IP6");
        }
        if (!Connection.CHOOSE.equals(address) && !plausibleAddress(addressType, address)) {
            throw new SdpException(lineNumber, line, "'" + address + "' is not an " + addressType + " address");
        }
        return new Connection(tokens[0], addressType, address);
    }

    /** Light check: the right characters for the address type, or a host name. Not a resolver. */
    static boolean plausibleAddress(final String addressType, final String address) {
        if (address.isEmpty() || address.length() > 255) {
            return false;
        }
        if (isHostName(address)) {
            return !Connection.IP4.equals(addressType) || !looksNumeric(address) || isDottedQuad(address);
        }
        if (Connection.IP4.equals(addressType)) {
            // multicast: 224.2.1.1/127[/3]
            final int slash = address.indexOf('/');
            return isDottedQuad(slash < 0 ? address : address.substring(0, slash));
        }
        int colons = 0;
        for (int i = 0; i < address.length(); i++) {
            final char c = address.charAt(i);
            if (c == ':') {
                colons++;
            } else if (Character.digit(c, 16) < 0 && c != '.' && c != '/') {
                return false;
            }
        }
        return colons >= 2;
    }

    private static boolean isHostName(final String address) {
        for (int i = 0; i < address.length(); i++) {
            final char c = address.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return false;
            }
        }
        return address.charAt(0) != '.' && address.charAt(0) != '-';
    }

    private static boolean looksNumeric(final String address) {
        for (int i = 0; i < address.length(); i++) {
            final char c = address.charAt(i);
            if (!(c >= '0' && c <= '9' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDottedQuad(final String address) {
        final String[] parts = address.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (final String part : parts) {
            if (part.isEmpty() || part.length() > 3) {
                return false;
            }
            final int octet = SessionDescription.parseNonNegative(part);
            if (octet < 0 || octet > 255) {
                return false;
            }
        }
        return true;
    }

    private static void checkAttribute(
        final int lineNumber, final String line, final String value, final List<RtpMap> rtpMaps)
        throws SdpException {
        if (!value.startsWith("rtpmap:")) {
            return;
        }
        if (rtpMaps == null) {
            throw new SdpException(lineNumber, line, "a=rtpmap belongs in a media section, found before m=");
        }
        final String body = value.substring(7).trim();
        final int space = body.indexOf(' ');
        final int payloadType = space < 0 ? -1 : SessionDescription.parseNonNegative(body.substring(0, space));
        if (payloadType < 0 || payloadType > 127) {
            throw new SdpException(lineNumber, line,
                "bad a=rtpmap, expected a=rtpmap:<payload type 0..127> <encoding>/<clock rate>[/<parameters>]");
        }
        final String[] encoding = body.substring(space + 1).trim().split("/", 3);
        final int clockRate = encoding.length >= 2 ? SessionDescription.parseNonNegative(encoding[1]) : -1;
        if (encoding[0].isEmpty() || clockRate <= 0) {
            throw new SdpException(lineNumber, line, "bad a=rtpmap clock rate, expected <encoding>/<clock rate>");
        }
        rtpMaps.add(new RtpMap(payloadType, encoding[0], clockRate, encoding.length == 3 ? encoding[2] : null));
    }

    private static final class MediaBuilder {
        final String media;
        final int port;
        final int portCount;
        final String proto;
        final List<String> formats;
        Connection connection;
        final List<SessionDescription.Line> otherLines = new ArrayList<>();
        final List<String> attributes = new ArrayList<>();
        final List<RtpMap> rtpMaps = new ArrayList<>();

        MediaBuilder(final String media, final int port, final int portCount, final String proto,
            final List<String> formats) {
            this.media = media;
            this.port = port;
            this.portCount = portCount;
            this.proto = proto;
            this.formats = formats;
        }

        MediaDescription build() {
            return new MediaDescription(
                media, port, portCount, proto, formats, connection, otherLines, attributes, rtpMaps);
        }
    }
}
