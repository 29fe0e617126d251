package io.hopgate.control.sip;

import java.util.HashMap;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import javax.sip.RequestEvent;
import javax.sip.address.Address;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar (RFC 3261 10.3): one contact per address of record ({@code bob@example.com}), the latest REGISTER
 * wins. A REGISTER from a new contact while a binding is live is the sign that the party is moving: the
 * {@code onContactMoved} callback hears its AOR (docs/architecture.md section 2.7). After every REGISTER the
 * {@code onBinding} callback hears the AOR's binding as it is now (its contact, or null when it has none), which
 * feeds the data channel's locator ({@link ChannelContact}).
 *
 * <p>Threads: owned by the {@code sip-control} thread; nothing here is shared.
 */
final class Registrar {
    private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);
    static final int DEFAULT_EXPIRES_S = 3600;
    static final int MAX_EXPIRES_S = 86_400;

    /** A registered contact; one per AOR. */
    record Binding(Address contact, long expiresAtNanos) {
        boolean live(long now) {
            return expiresAtNanos - now > 0;
        }
    }

    private final SipEndpoint sip;
    private final Consumer<String> onContactMoved;
    private final BiConsumer<String, Address> onBinding;
    /** AOR to its current binding. */
    private final Map<String, Binding> bindings = new HashMap<>();

    Registrar(SipEndpoint sip, Consumer<String> onContactMoved, BiConsumer<String, Address> onBinding) {
        this.sip = sip;
        this.onContactMoved = onContactMoved;
        this.onBinding = onBinding;
    }

    /** The live binding of {@code aor}, or null. */
    Binding lookup(String aor) {
        Binding b = aor == null ? null : bindings.get(aor);
        return b == null || !b.live(System.nanoTime()) ? null : b;
    }

    /** The contact URI registered for {@code aor}, or null. */
    String contact(String aor) {
        Binding b = lookup(aor);
        return b == null ? null : b.contact().getURI().toString();
    }

    /** Expires 0 (or Contact: * with Expires 0) removes the binding; the 200 lists what is bound now. */
    void onRegister(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        String aor = SipEndpoint.aor(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI());
        if (aor == null) {
            sip.respond(event, tagged(Response.BAD_REQUEST, request));
            return;
        }
        ExpiresHeader expiresHeader = request.getExpires();
        int defaultExpires = expiresHeader == null ? DEFAULT_EXPIRES_S : expiresHeader.getExpires();
        long now = System.nanoTime();
        bindings.values().removeIf(b -> !b.live(now));
        ListIterator<?> contacts = request.getHeaders(ContactHeader.NAME);
        while (contacts.hasNext()) {
            ContactHeader c = (ContactHeader) contacts.next();
            int expires = c.getExpires() >= 0 ? c.getExpires() : defaultExpires;
            if (c.isWildCard()) {
                if (expires != 0) {
                    sip.respond(event, tagged(Response.BAD_REQUEST, request));
                    return;
                }
                bindings.remove(aor);
            } else if (expires == 0) {
                // Only the binding for this contact goes (RFC 3261 10.3 step 7); another device's stays.
                Binding current = bindings.get(aor);
                if (current != null && current.contact().getURI().equals(c.getAddress().getURI())) {
                    bindings.remove(aor);
                }
            } else {
                expires = Math.min(expires, MAX_EXPIRES_S);
                Binding before = bindings.put(aor,
                    new Binding(c.getAddress(), now + TimeUnit.SECONDS.toNanos(expires)));
                if (before != null && !before.contact().getURI().equals(c.getAddress().getURI())) {
                    onContactMoved.accept(aor);
                }
            }
        }
        Response ok = tagged(Response.OK, request);
        Binding b = bindings.get(aor);
        if (b != null && b.live(now)) {
            int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(b.expiresAtNanos() - now));
            ContactHeader contact = sip.headers.createContactHeader(b.contact());
            contact.setExpires(left);
            ok.addHeader(contact);
            ok.addHeader(sip.headers.createExpiresHeader(left));
        }
        LOG.info("sip register aor={} contact={}", aor, b == null ? "-" : b.contact().getURI());
        sip.respond(event, ok);
        onBinding.accept(aor, b != null && b.live(now) ? b.contact() : null);
    }

    /** RFC 3261 8.2.6.2: every final response of a UAS, a registrar's included, carries a To tag. */
    private Response tagged(int status, Request request) throws Exception {
        return SipEndpoint.withTag(sip.response(status, request), SipEndpoint.newTag());
    }
}
