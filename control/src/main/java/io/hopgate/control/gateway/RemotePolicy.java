package io.hopgate.control.gateway;

import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.MegacoException;
import io.hopgate.media.MediaPlaneConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which Remote addresses a termination may be pointed at (docs/architecture.md section 3.2). A Remote that is one
 * of the gateway's own media ports would loop a packet through the gateway forever, one equal to a control port
 * would turn every RTP packet into a control error; broadcast and multicast would spray a call's media over a
 * network; an address of the other IP family cannot be reached from the media sockets. All are refused with an
 * error that names the address. The unspecified address ({@code c=IN IP4 0.0.0.0}) is hold (RFC 3264 section 8.4):
 * accepted, and the media plane sends nothing to it.
 *
 * <p>Threads: built once; {@link #check} runs on the control thread, {@link #controlAddresses} is set at start-up.
 */
final class RemotePolicy {
    private static final InetAddress LIMITED_BROADCAST = ipv4(255, 255, 255, 255);

    private final InetAddress mediaAddress;
    private final int portMin;
    private final int portMax;
    /** This host's interface addresses, for a wildcard listen address ("own" means any of them then). */
    private final Set<InetAddress> local = new HashSet<>();
    /** Directed broadcast addresses of this host's IPv4 interfaces. */
    private final Set<InetAddress> broadcasts = new HashSet<>();
    private volatile List<InetSocketAddress> control = List.of();

    RemotePolicy(MediaPlaneConfig media) {
        this.mediaAddress = media.address();
        this.portMin = media.portMin();
        this.portMax = media.portMax();
        broadcasts.add(LIMITED_BROADCAST);
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InterfaceAddress a : nif.getInterfaceAddresses()) {
                    local.add(a.getAddress());
                    if (a.getBroadcast() != null) {
                        broadcasts.add(a.getBroadcast());
                    }
                }
            }
        } catch (SocketException | RuntimeException e) {
            // Without the interface list only the limited broadcast and the configured addresses are known.
        }
    }

    /** The gateway's own control sockets (H.248, ng), once they are bound. */
    void controlAddresses(List<InetSocketAddress> addresses) {
        control = List.copyOf(addresses);
    }

    /** Whether {@code remote} is hold (the unspecified address): accepted, nothing is sent to it. */
    static boolean isHold(InetSocketAddress remote) {
        return remote.getAddress().isAnyLocalAddress();
    }

    /** Refuses a Remote the gateway must not send to; returns normally for a usable one, hold, or none (null). */
    void check(InetSocketAddress remote) {
        if (remote == null) {
            return;
        }
        InetAddress a = remote.getAddress();
        String text = a.getHostAddress();
        if (isHold(remote)) {
            return;
        }
        if (a.isMulticastAddress()) {
            throw refuse("Remote c= address " + text + " is a multicast address: Hopgate relays unicast RTP only");
        }
        if (broadcasts.contains(a)) {
            throw refuse("Remote c= address " + text + " is a broadcast address: Hopgate relays unicast RTP only");
        }
        if (a instanceof Inet6Address && mediaAddress instanceof Inet4Address) {
            throw refuse("Remote c= address " + text + " is IPv6, but this gateway's media.address "
                + mediaAddress.getHostAddress() + " is IPv4: use c=IN IP4 with an IPv4 address");
        }
        if (a instanceof Inet4Address && mediaAddress instanceof Inet6Address && !mediaAddress.isAnyLocalAddress()) {
            throw refuse("Remote c= address " + text + " is IPv4, but this gateway's media.address "
                + mediaAddress.getHostAddress() + " is IPv6: use c=IN IP6 with an IPv6 address");
        }
        int port = remote.getPort();
        // RTCP goes to port + 1, so a port just below the range loops RTCP.
        if (isOwnHost(mediaAddress, a) && port + 1 >= portMin && port <= portMax) {
            throw refuse("Remote " + text + ":" + port + " is this gateway's own media port range "
                + mediaAddress.getHostAddress() + ":" + portMin + "-" + portMax
                + " (media.port-min, media.port-max): packets would loop through the gateway");
        }
        for (InetSocketAddress c : control) {
            if ((c.getPort() == port || c.getPort() == port + 1) && isOwnHost(c.getAddress(), a)) {
                throw refuse("Remote " + text + ":" + port + " is this gateway's own control address "
                    + c.getAddress().getHostAddress() + ":" + c.getPort() + " (RTP at port, RTCP at port + 1)");
            }
        }
    }

    /** Whether packets sent to {@code a} reach a socket bound to {@code bound} on this host. */
    private boolean isOwnHost(InetAddress bound, InetAddress a) {
        if (bound.equals(a)) {
            return true;
        }
        return bound.isAnyLocalAddress() && (a.isLoopbackAddress() || local.contains(a));
    }

    private static MegacoException refuse(String text) {
        return MediaRequest.error(ErrorCode.UNSUPPORTED_VALUE, text);
    }

    private static InetAddress ipv4(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
