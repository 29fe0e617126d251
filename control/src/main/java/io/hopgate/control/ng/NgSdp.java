package io.hopgate.control.ng;

import io.hopgate.rtp.sdp.Connection;
import io.hopgate.rtp.sdp.Direction;
import io.hopgate.rtp.sdp.MediaDescription;
import io.hopgate.rtp.sdp.SdpException;
import io.hopgate.rtp.sdp.SessionDescription;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The SDP side of offer and answer: reads a party's media (address, port, direction, clock rate) with the rtp
 * module's codec ({@link SessionDescription}) and writes the SDP the other party gets, with Hopgate's address and
 * ports in every c= and m= line, the codecs and other attributes kept, ICE attributes removed (Hopgate is the only
 * path; a candidate would let media bypass it), the party's {@code a=rtcp} replaced by Hopgate's as rtpengine does
 * ({@code a=rtcp:<port>}, RTP port + 1, or the RTP port itself when rtcp-mux stays), and direction attributes as the
 * party sent them (the other party sees the same offer/answer semantics, RFC 3264 section 6.1).
 *
 * <p>Kept small on purpose and local to the ng package; the attribute edits the rtp codec has no API for are done
 * on its formatted lines.
 */
final class NgSdp {
    private NgSdp() {
    }

    /** What one m= section says about the party that sent it. */
    record Media(String type, String proto, InetSocketAddress address, Direction direction, int clockRate,
                 boolean rtcpMux) {
        /** False for a rejected section (port 0) or a hold address (0.0.0.0 / ::). */
        boolean hasAddress() {
            return address != null;
        }
    }

    /** The options of one offer or answer that change how the SDP is read and written. */
    record Options(String transportProtocol, boolean replaceOrigin, boolean demux, boolean rtcpAttribute,
                   boolean fullRtcpAttribute, InetAddress mediaAddress) {
        static Options of(NgRequest request) {
            String ice = request.string("ICE");
            if (ice != null && !ice.equalsIgnoreCase("remove") && !ice.equalsIgnoreCase("default")) {
                throw new NgException("ICE=" + ice + " is not supported: Hopgate relays plain RTP without ICE; "
                    + "use ICE=remove (ICE attributes are always removed)");
            }
            String protocol = request.string("transport-protocol");
            if (protocol != null && !protocol.equals("RTP/AVP") && !protocol.equals("accept")) {
                throw new NgException("transport protocol " + protocol + " is not supported: Hopgate relays "
                    + "RTP/AVP only (no SRTP, no AVPF feedback)");
            }
            boolean demux = false;
            for (String mode : request.words("rtcp-mux")) {
                switch (mode) {
                    case "demux", "reject" -> demux = true;
                    case "accept" -> { }
                    default -> throw new NgException("rtcp-mux " + mode + " is not supported: Hopgate accepts "
                        + "demux, reject and accept");
                }
            }
            String mediaAddress = request.string("media-address");
            InetAddress address = null;
            if (mediaAddress != null) {
                address = literal(mediaAddress, "media address");
            }
            return new Options("RTP/AVP".equals(protocol) ? protocol : null,
                request.words("replace").contains("origin"),
                demux, !request.flag("no-rtcp-attribute"), request.flag("full-rtcp-attribute"), address);
        }
    }

    /** Parses the party's SDP and checks each m= section is something Hopgate relays. */
    static SessionDescription parse(String text, Options options) {
        SessionDescription sdp;
        try {
            sdp = SessionDescription.parse(text);
        } catch (SdpException e) {
            throw new NgException("bad SDP: " + e.getMessage());
        }
        if (sdp.media().isEmpty()) {
            throw new NgException("SDP has no m= line");
        }
        for (int i = 0; i < sdp.media().size(); i++) {
            MediaDescription m = sdp.media(i);
            String proto = m.proto();
            boolean avpf = proto.equals("RTP/AVPF") && options.transportProtocol() != null;
            if (m.port() != 0 && !proto.equals("RTP/AVP") && !avpf) {
                throw new NgException("m=" + m.media() + " uses transport protocol " + proto + ": Hopgate relays "
                    + "RTP/AVP only (no SRTP, DTLS or AVPF; transport-protocol=RTP/AVP turns RTP/AVPF into RTP/AVP)");
            }
            if (m.port() == MediaDescription.CHOOSE || sdp.connection(i) == null
                || sdp.connection(i).isChoose()) {
                throw new NgException("m=" + m.media() + " has no usable address: c= line missing or '$'");
            }
        }
        return sdp;
    }

    static List<Media> media(SessionDescription sdp, Options options) {
        List<Media> out = new ArrayList<>();
        for (int i = 0; i < sdp.media().size(); i++) {
            MediaDescription m = sdp.media(i);
            InetAddress address = options.mediaAddress() != null ? options.mediaAddress()
                : literal(sdp.connection(i).address(), "c= address");
            Direction direction = sdp.direction(i);
            InetSocketAddress remote = m.port() == 0 || address.isAnyLocalAddress() ? null
                : new InetSocketAddress(address, m.port());
            boolean mux = m.attributes().contains("rtcp-mux");
            out.add(new Media(m.media(), m.proto(), remote, direction == null ? Direction.SENDRECV : direction,
                m.clockRate(), mux));
        }
        return out;
    }

    private static InetAddress literal(String text, String what) {
        boolean plausible = text.indexOf(':') >= 0 || text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        if (!plausible) {
            throw new NgException(what + " '" + text + "' is not an IP address literal (host names are not resolved)");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new NgException(what + " '" + text + "' is not an IP address");
        }
    }

    /**
     * The SDP for the other party: the sender's SDP with {@code local} (Hopgate's address) and, for media section
     * i, {@code ports.get(i)} as where to send.
     */
    static String rewrite(SessionDescription sdp, InetAddress local, List<Integer> ports, Options options) {
        String addressType = local instanceof Inet6Address ? Connection.IP6 : Connection.IP4;
        String address = local.getHostAddress();
        SessionDescription out = sdp.withConnection(addressType, address);
        for (int i = 0; i < out.media().size(); i++) {
            if (out.media(i).port() != 0) {
                out = out.withMediaPort(i, ports.get(i));
            }
        }
        if (options.replaceOrigin() && out.origin() != null) {
            String[] o = out.origin().trim().split("\\s+");
            if (o.length == 6) {
                out = out.withOrigin(String.join(" ", o[0], o[1], o[2], o[3], addressType, address));
            }
        }
        return editLines(out.format("\r\n"), sdp, local, ports, options);
    }

    private static final Set<String> ICE = Set.of("ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
        "ice-mismatch", "candidate", "remote-candidates", "end-of-candidates", "ice-pacing");

    private static String editLines(String text, SessionDescription sdp, InetAddress local, List<Integer> ports,
                                    Options options) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        int media = -1;
        for (String line : text.split("\r\n")) {
            if (line.startsWith("m=")) {
                appendRtcp(out, media, sdp, local, ports, options);
                media++;
                if (options.transportProtocol() != null) {
                    String[] t = line.split(" ", 4);
                    line = t.length == 4 ? t[0] + " " + t[1] + " " + options.transportProtocol() + " " + t[3] : line;
                }
            } else if (line.startsWith("a=")) {
                String name = attributeName(line);
                if (ICE.contains(name) || name.equals("rtcp") || (options.demux() && name.equals("rtcp-mux"))) {
                    continue;
                }
            }
            out.append(line).append("\r\n");
        }
        appendRtcp(out, media, sdp, local, ports, options);
        return out.toString();
    }

    private static void appendRtcp(StringBuilder out, int media, SessionDescription sdp, InetAddress local,
                                   List<Integer> ports, Options options) {
        if (media < 0 || !options.rtcpAttribute() || sdp.media(media).port() == 0) {
            return;
        }
        boolean mux = !options.demux() && sdp.media(media).attributes().contains("rtcp-mux");
        int port = mux ? ports.get(media) : ports.get(media) + 1;
        out.append("a=rtcp:").append(port);
        if (options.fullRtcpAttribute()) {
            out.append(" IN ").append(local instanceof Inet6Address ? "IP6 " : "IP4 ").append(local.getHostAddress());
        }
        out.append("\r\n");
    }

    private static String attributeName(String line) {
        int colon = line.indexOf(':');
        return colon < 0 ? line.substring(2) : line.substring(2, colon);
    }
}
