package io.hopgate.control.gateway;

import io.hopgate.control.h248.AuditDescriptor;
import io.hopgate.control.h248.CommandRequest;
import io.hopgate.control.h248.Descriptor;
import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.EventsDescriptor;
import io.hopgate.control.h248.GenericDescriptor;
import io.hopgate.control.h248.LocalControlDescriptor;
import io.hopgate.control.h248.MediaDescriptor;
import io.hopgate.control.h248.MegacoException;
import io.hopgate.control.h248.ServiceState;
import io.hopgate.control.h248.StreamDescriptor;
import io.hopgate.media.StreamMode;
import io.hopgate.rtp.sdp.SdpException;
import io.hopgate.rtp.sdp.SessionDescription;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * What one command asks of a termination's media, checked in full before anything changes: a command either
 * applies completely or fails with an H.248 error and changes nothing.
 *
 * @param mode        the new stream mode, or null to keep it
 * @param local       the Local SDP as sent (with {@code $} wildcards), or null when absent
 * @param remote      the Remote SDP, or null when absent
 * @param remoteRtp   the peer's RTP address from Remote, or null
 * @param clockRate   clock rate of Remote's first payload type (Hz), or 0
 * @param auditItems  the Audit descriptor's items, or null when the command has none
 * @param moving      LocalControl {@code hopgate/moving} (docs/architecture.md section 2.7: hold packets while the
 *                    peer moves), or null
 */
record MediaRequest(StreamMode mode, SessionDescription local, SessionDescription remote, InetSocketAddress remoteRtp,
                    int clockRate, List<String> auditItems, Boolean moving) {

    /** Hopgate's LocalControl property: {@code on} holds RTP for the termination until its new Remote is set. */
    static final String MOVING_PROPERTY = "hopgate/moving";

    static MediaRequest of(CommandRequest command) {
        StreamMode mode = null;
        Boolean moving = null;
        SessionDescription local = null;
        SessionDescription remote = null;
        List<String> audit = null;
        boolean mediaSeen = false;
        for (Descriptor d : command.descriptors()) {
            if (d instanceof MediaDescriptor media) {
                if (mediaSeen) {
                    throw error(ErrorCode.DESCRIPTOR_APPEARS_TWICE, "Media appears twice in " + name(command));
                }
                mediaSeen = true;
                checkTerminationState(media);
                if (!media.other().isEmpty()) {
                    throw error(ErrorCode.UNSUPPORTED_DESCRIPTOR,
                        "unsupported descriptor in Media: " + media.other().get(0).name());
                }
                for (StreamDescriptor stream : media.streams()) {
                    if (stream.id() != 1) {
                        throw error(ErrorCode.NOT_IMPLEMENTED,
                            "only stream 1 is supported (got Stream = " + stream.id() + ")");
                    }
                    if (!stream.other().isEmpty()) {
                        throw error(ErrorCode.UNSUPPORTED_DESCRIPTOR,
                            "unsupported descriptor in Stream: " + stream.other().get(0).name());
                    }
                    if (stream.localControl() != null) {
                        mode = mode(stream.localControl());
                        moving = moving(stream.localControl());
                    }
                    if (stream.localSdp() != null) {
                        local = sdp("Local", stream.localSdp());
                    }
                    if (stream.remoteSdp() != null) {
                        remote = sdp("Remote", stream.remoteSdp());
                    }
                }
            } else if (d instanceof AuditDescriptor a) {
                audit = a.items();
            } else if (d instanceof EventsDescriptor events) {
                if (!events.events().isEmpty()) {
                    String event = events.events().get(0).name();
                    throw error(ErrorCode.UNSUPPORTED_PACKAGE, "unsupported event " + event
                        + ": this gateway reports no events");
                }
            } else if (d instanceof GenericDescriptor g && isEmptySignalsOrEvents(g)) {
                continue; // an empty Signals or Events descriptor asks for nothing
            } else if (d instanceof ErrorDescriptor) {
                throw error(ErrorCode.DESCRIPTOR_NOT_LEGAL_IN_COMMAND, "Error descriptor is not legal in a request");
            } else {
                throw error(ErrorCode.UNSUPPORTED_DESCRIPTOR, "unsupported descriptor " + describe(d) + " in "
                    + name(command));
            }
        }
        InetSocketAddress remoteRtp = null;
        int clockRate = 0;
        if (remote != null) {
            remoteRtp = remoteAddress(remote);
            clockRate = firstClockRate(remote);
        }
        return new MediaRequest(mode, local, remote, remoteRtp, clockRate, audit, moving);
    }

    private static boolean isEmptySignalsOrEvents(GenericDescriptor g) {
        String n = g.name().toLowerCase(Locale.ROOT);
        return (n.equals("signals") || n.equals("sg") || n.equals("events") || n.equals("e"))
            && g.children().isEmpty();
    }

    private static String describe(Descriptor d) {
        return d instanceof GenericDescriptor g ? g.name() : d.getClass().getSimpleName().replace("Descriptor", "");
    }

    private static String name(CommandRequest command) {
        return command.type().token() + " " + command.terminationId().text();
    }

    private static void checkTerminationState(MediaDescriptor media) {
        if (media.terminationState() == null) {
            return;
        }
        if (!media.terminationState().properties().isEmpty()) {
            throw error(ErrorCode.UNSUPPORTED_PROPERTY, "unsupported TerminationState property "
                + media.terminationState().properties().keySet().iterator().next());
        }
        ServiceState state = media.terminationState().serviceState();
        if (state != null && state != ServiceState.IN_SERVICE) {
            throw error(ErrorCode.NOT_IMPLEMENTED, "ServiceStates " + state.token()
                + " is not supported on RTP terminations");
        }
    }

    private static Boolean moving(LocalControlDescriptor lc) {
        String value = null;
        for (java.util.Map.Entry<String, String> e : lc.properties().entrySet()) {
            if (e.getKey().equalsIgnoreCase(MOVING_PROPERTY)) {
                value = e.getValue();
            }
        }
        if (value == null) {
            return null;
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "true", "1" -> Boolean.TRUE;
            case "off", "false", "0" -> Boolean.FALSE;
            default -> throw error(ErrorCode.UNSUPPORTED_VALUE, MOVING_PROPERTY + "=" + value + ": use on or off");
        };
    }

    private static StreamMode mode(LocalControlDescriptor lc) {
        for (String key : lc.properties().keySet()) {
            if (!key.equalsIgnoreCase(MOVING_PROPERTY)) {
                throw error(ErrorCode.UNSUPPORTED_PROPERTY, "unsupported LocalControl property " + key);
            }
        }
        if (lc.mode() == null) {
            return null;
        }
        return switch (lc.mode()) {
            case SEND_RECEIVE -> StreamMode.SEND_RECV;
            case SEND_ONLY -> StreamMode.SEND_ONLY;
            case RECEIVE_ONLY -> StreamMode.RECV_ONLY;
            case INACTIVE -> StreamMode.INACTIVE;
            case LOOPBACK -> StreamMode.LOOPBACK;
        };
    }

    private static SessionDescription sdp(String which, String text) {
        try {
            return SessionDescription.parse(text);
        } catch (SdpException e) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, which + " SDP: " + e.getMessage());
        }
    }

    private static InetSocketAddress remoteAddress(SessionDescription remote) {
        if (remote.media().isEmpty()) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, "Remote SDP has no m= line");
        }
        if (remote.isConnectionChoose() || remote.connectionAddress() == null) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, "Remote SDP needs a concrete c= address");
        }
        if (remote.isPortChoose()) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, "Remote SDP needs a concrete m= port");
        }
        int port = remote.port();
        if (port <= 0 || port > 65534) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, "Remote SDP m= port " + port
                + " is not usable (port 0 disables the stream; use Mode Inactive to hold)");
        }
        return new InetSocketAddress(literal(remote.connectionAddress()), port);
    }

    /** Parses an IP literal without DNS: the control thread must never block on a resolver. */
    private static InetAddress literal(String address) {
        String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1)
            : address;
        boolean ipv4 = a.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean ipv6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, "Remote SDP c= address " + address
                + " is not an IP address (names are not resolved)");
        }
        try {
            return InetAddress.getByName(a);
        } catch (UnknownHostException e) {
            throw error(ErrorCode.UNSUPPORTED_VALUE, "Remote SDP c= address " + address + " is not valid");
        }
    }

    private static int firstClockRate(SessionDescription remote) {
        List<String> formats = remote.media(0).formats();
        if (formats.isEmpty()) {
            return 8000;
        }
        try {
            return remote.clockRate(Integer.parseInt(formats.get(0)));
        } catch (NumberFormatException e) {
            return 8000;
        }
    }

    /** Whether an audit of {@code item} was asked for; no Audit descriptor means the command's default. */
    boolean audits(String item, boolean byDefault) {
        if (auditItems == null) {
            return byDefault;
        }
        for (String i : auditItems) {
            if (i.equalsIgnoreCase(item) || (item.equals("Media") && i.equalsIgnoreCase("M"))
                || (item.equals("Statistics") && i.equalsIgnoreCase("SA"))
                || (item.equals("Packages") && i.equalsIgnoreCase("PG"))) {
                return true;
            }
        }
        return false;
    }

    static MegacoException error(ErrorCode code, String text) {
        return new MegacoException(code, text);
    }
}
