package io.hopgate.control.sip;

import io.hopgate.control.mgc.GatewayException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Locale;
import java.util.UUID;
import javax.sip.Dialog;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WarningHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the SIP stack: its provider, the JAIN-SIP factories and our own address, with the message
 * helpers the registrar and the B2BUA share (responses with a To tag, our Contact and Via, a Warning naming the
 * gateway's H.248 error). Used on the {@code sip-control} thread only.
 */
final class SipEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(SipEndpoint.class);
    /** RFC 3261 20.43: 399 is the miscellaneous warning; its text names the gateway's H.248 error. */
    private static final int WARN_MISC = 399;
    private static final int MAX_FORWARDS = 70;

    final SipStack stack;
    final SipProvider provider;
    final HeaderFactory headers;
    final AddressFactory addresses;
    final MessageFactory messages;
    final InetSocketAddress address;

    SipEndpoint(SipStack stack, SipProvider provider, SipFactory factory, InetSocketAddress address) throws Exception {
        this.stack = stack;
        this.provider = provider;
        this.headers = factory.createHeaderFactory();
        this.addresses = factory.createAddressFactory();
        this.messages = factory.createMessageFactory();
        this.address = address;
    }

    Response response(int status, Request request) throws ParseException {
        return messages.createResponse(status, request);
    }

    /** A 200 with an SDP body and our Contact (RFC 3261 12.1.1: a 2xx to an INVITE carries one). */
    Response okWithSdp(Request request, String sdp) throws ParseException {
        Response ok = messages.createResponse(Response.OK, request, sdpType(), sdp.getBytes(StandardCharsets.UTF_8));
        ok.addHeader(ourContact());
        return ok;
    }

    /** RFC 3261 8.2.6.2: a UAS response carries a To tag; one already there (in a dialog) stays. */
    static Response withTag(Response response, String tag) throws ParseException {
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        if (to.getTag() == null) {
            to.setTag(tag);
        }
        return response;
    }

    /** RFC 3261 20.43: tells the party which H.248 error (or timeout) the gateway answered. */
    Response withWarning(Response response, GatewayException refusal) {
        try {
            // A warn-text is a quoted-string: no bare double quote or backslash inside.
            String text = "H.248 to gateway " + refusal.getMessage().replace('"', '\'').replace('\\', '/');
            WarningHeader warning = headers.createWarningHeader(
                address.getAddress().getHostAddress() + ":" + address.getPort(), WARN_MISC, text);
            response.addHeader(warning);
        } catch (ParseException | InvalidArgumentException e) {
            LOG.debug("sip warning header not added: {}", e.toString());
        }
        return response;
    }

    /** The event's server transaction, made if the stack has none yet; null for a retransmission racing the first. */
    ServerTransaction serverTransaction(RequestEvent event) {
        ServerTransaction st = event.getServerTransaction();
        if (st != null) {
            return st;
        }
        try {
            return provider.getNewServerTransaction(event.getRequest());
        } catch (Exception e) {
            // A retransmission racing the first copy: the existing transaction answers it.
            LOG.debug("sip no server transaction method={}: {}", event.getRequest().getMethod(), e.toString());
            return null;
        }
    }

    void respond(RequestEvent event, Response response) throws Exception {
        ServerTransaction st = serverTransaction(event);
        if (st != null) {
            st.sendResponse(response);
        }
    }

    void sendInDialog(Dialog dialog, String method) {
        try {
            Request r = dialog.createRequest(method);
            dialog.sendRequest(provider.getNewClientTransaction(r));
        } catch (SipException e) {
            LOG.debug("sip {} in dialog failed: {}", method, e.toString());
        }
    }

    ContactHeader ourContact() throws ParseException {
        SipURI uri = addresses.createSipURI("hopgate", address.getAddress().getHostAddress());
        uri.setPort(address.getPort());
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    ViaHeader via() throws ParseException, InvalidArgumentException {
        return headers.createViaHeader(address.getAddress().getHostAddress(), address.getPort(), ListeningPoint.UDP,
            null);
    }

    MaxForwardsHeader maxForwards() throws InvalidArgumentException {
        return headers.createMaxForwardsHeader(MAX_FORWARDS);
    }

    ContentTypeHeader sdpType() throws ParseException {
        return headers.createContentTypeHeader("application", "sdp");
    }

    static String newTag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static String callId(Message m) {
        CallIdHeader h = (CallIdHeader) m.getHeader(CallIdHeader.NAME);
        return h == null ? "" : h.getCallId();
    }

    /** {@code user@host} of a SIP URI, or null for other schemes. */
    static String aor(URI uri) {
        if (!(uri instanceof SipURI sip) || sip.getUser() == null) {
            return null;
        }
        return sip.getUser() + "@" + sip.getHost().toLowerCase(Locale.ROOT);
    }
}
