package io.hopgate.control.sip;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import javax.sip.address.Address;
import javax.sip.address.SipURI;

/**
 * Where a registered party's mobile data channel listens (docs/architecture.md section 3.9): the host of its SIP
 * contact and the port named by the contact URI's {@code hopgate-channel} parameter, e.g.
 * {@code sip:bob@10.0.0.7:5060;hopgate-channel=7000} is {@code 10.0.0.7:7000}. A contact without the parameter has
 * no data channel. So a REGISTER from a new contact (the party moved) moves its channel too.
 */
final class ChannelContact {
    static final String PARAMETER = "hopgate-channel";

    private ChannelContact() {
    }

    /** The channel address the contact names, or empty (no parameter, not a SIP URI, a bad port or host). */
    static Optional<InetSocketAddress> of(Address contact) {
        if (contact == null || !(contact.getURI() instanceof SipURI uri)) {
            return Optional.empty();
        }
        String port = uri.getParameter(PARAMETER);
        if (port == null || uri.getHost() == null) {
            return Optional.empty();
        }
        try {
            int p = Integer.parseInt(port.trim());
            if (p < 1 || p > 65535) {
                return Optional.empty();
            }
            // The host is a literal address in a contact a UA builds for itself; a name is resolved once, here.
            return Optional.of(new InetSocketAddress(InetAddress.getByName(uri.getHost()), p));
        } catch (NumberFormatException | UnknownHostException e) {
            return Optional.empty();
        }
    }
}
