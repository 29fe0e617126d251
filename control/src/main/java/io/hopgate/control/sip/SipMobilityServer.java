package io.hopgate.control.sip;

import io.hopgate.control.callserver.GatewayClient;
import io.hopgate.control.callserver.GatewayClient.Added;
import io.hopgate.control.callserver.GatewayClient.StreamRequest;
import io.hopgate.control.callserver.GatewayException;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.StreamMode;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.rtp.sdp.SessionDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.InvalidArgumentException;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionState;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WarningHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Registrar and media-anchoring B2BUA for transparent mobility (docs/architecture.md section 2.6, RFC 3261, UDP).
 *
 * <pre>
 *   alice ──SIP──┐                    ┌──SIP── bob
 *                └── SipMobilityServer┘
 *                        │ H.248 (Add/Modify/Subtract)
 *   alice ──RTP── [term A | gateway context | term B] ──RTP── bob
 * </pre>
 *
 * An INVITE to a registered name creates a context with one termination per party; each party is given the
 * gateway's address facing it, so a party that moves re-INVITEs only this server, which Modifies that party's
 * termination (Remote = the new address) and answers with the gateway's unchanged SDP. The other party gets
 * nothing: its dialog, its SDP and the stream it receives (gateway egress continuity) stay the same.
 *
 * <p>H.248 goes through the call server's {@link GatewayClient}, asynchronously: its futures complete on the
 * H.248 reply thread and every continuation is posted back to {@link #control}.
 *
 * <p>Threading: JAIN-SIP listener threads and the H.248 reply thread only post to {@link #control}; every
 * map and every {@link Call} is read and written on that one thread.
 */
public final class SipMobilityServer implements SipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipMobilityServer.class);
    private static final AtomicInteger STACKS = new AtomicInteger();
    /**
     * A last-resort bound for the GatewayClient's blocking calls, which this server does not make; its own waits
     * end with the MegacoEndpoint's retransmission timeout.
     */
    private static final long GATEWAY_WAIT_MS = 10_000;
    /** RFC 3261 20.43: 399 is the miscellaneous warning; its text names the gateway's H.248 error. */
    private static final int WARN_MISC = 399;
    private static final int DEFAULT_EXPIRES_S = 3600;
    private static final int MAX_EXPIRES_S = 86_400;
    /** Retry-After (seconds) on a 500 for an INVITE overlapping an unanswered one (RFC 3261 14.2). */
    private static final int RETRY_AFTER_S = 1;

    private final SipStack stack;
    private final SipProvider provider;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final MessageFactory messages;
    private final InetSocketAddress sipAddress;
    /** Owned here (closed with the server); {@link #gateway} only sends through it. */
    private final MegacoEndpoint megaco;
    private final GatewayClient gateway;
    private final ExecutorService control;

    /** Owned by {@link #control}: AOR ({@code bob@example.com}) to its current binding. */
    private final Map<String, Binding> bindings = new HashMap<>();
    /** Owned by {@link #control}: both legs' Call-IDs point at the same call. */
    private final Map<String, Call> calls = new HashMap<>();
    /** Test seam: runs before each H.248 Modify of a move, on {@link #control}; may delay the move. */
    volatile Function<String, CompletableFuture<Void>> beforeMove = aor -> CompletableFuture.completedFuture(null);

    /** A registered contact; one per AOR (the latest REGISTER wins). */
    record Binding(Address contact, long expiresAtNanos) {
        boolean live(long now) {
            return expiresAtNanos - now > 0;
        }
    }

    /** One party's side of a call: its dialog with us and its termination on the gateway. */
    static final class Leg {
        final String aor;
        String callId;
        Dialog dialog;
        /** This party's termination on the gateway; null until the Add is answered. */
        TerminationId termination;
        /** The gateway's media address facing this party (what this party sends to). */
        InetSocketAddress gatewayMedia;
        /** The SDP we last gave this party; a re-INVITE is answered with it unchanged. */
        String sdpToParty;
        /** An INVITE from this party that has no final response yet. */
        ServerTransaction pendingInvite;

        Leg(String aor) {
            this.aor = aor;
        }
    }

    static final class Call {
        final Leg caller;
        final Leg callee;
        final ServerTransaction callerInvite;
        final String callerTag;
        /** {@code $} until the gateway's Add reply names the context. */
        ContextId context = ContextId.CHOOSE;
        ClientTransaction calleeInvite;
        boolean provisionalFromCallee;
        boolean cancelled;
        boolean answered;
        boolean ended;

        Call(Leg caller, Leg callee, ServerTransaction callerInvite, String callerTag) {
            this.caller = caller;
            this.callee = callee;
            this.callerInvite = callerInvite;
            this.callerTag = callerTag;
        }

        Leg leg(String callId) {
            return callId.equals(caller.callId) ? caller : callId.equals(callee.callId) ? callee : null;
        }

        Leg other(Leg leg) {
            return leg == caller ? callee : caller;
        }

        /** Either party has an INVITE without a final response: a re-INVITE from the other one crosses it. */
        boolean inviteUnanswered() {
            return caller.pendingInvite != null || callee.pendingInvite != null;
        }
    }

    private SipMobilityServer(SipStack stack, SipProvider provider, SipFactory factory, InetSocketAddress sipAddress,
                              MegacoEndpoint megaco, InetSocketAddress gatewayControl) throws Exception {
        this.stack = stack;
        this.provider = provider;
        this.headers = factory.createHeaderFactory();
        this.addresses = factory.createAddressFactory();
        this.messages = factory.createMessageFactory();
        this.sipAddress = sipAddress;
        this.megaco = megaco;
        this.gateway = new GatewayClient(gatewayControl.getHostString() + ":" + gatewayControl.getPort(),
            gatewayControl, megaco, GATEWAY_WAIT_MS);
        this.control = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sip-control");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Binds SIP/UDP on {@code sipListen} (port 0 picks a free port) and an H.248 client on the same host, and
     * anchors calls on the gateway at {@code gatewayControl}.
     */
    public static SipMobilityServer start(InetSocketAddress sipListen, InetSocketAddress gatewayControl)
        throws Exception {
        SipStackLoggers.install();
        String host = sipListen.getAddress() == null ? "127.0.0.1" : sipListen.getAddress().getHostAddress();
        int port = sipListen.getPort() == 0 ? freeUdpPort(host) : sipListen.getPort();
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "hopgate-sip-" + STACKS.incrementAndGet());
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
        p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
        SipStackLoggers.configure(p);
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        SipStack stack = factory.createSipStack(p);
        MegacoEndpoint megaco = null;
        try {
            ListeningPoint lp;
            try {
                lp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
            } catch (Exception e) {
                throw new IllegalStateException("cannot bind callserver.sip.listen " + host + ":" + port + ": "
                    + e.getMessage(), e);
            }
            SipProvider provider = stack.createSipProvider(lp);
            // Client role only: no handler, so a request from the gateway is answered with Error 501.
            megaco = MegacoEndpoint.bind(new InetSocketAddress(host, 0), "[" + host + "]:0",
                MegacoEndpoint.Options.defaults(), null, null);
            SipMobilityServer server = new SipMobilityServer(stack, provider, factory,
                new InetSocketAddress(host, port), megaco, gatewayControl);
            provider.addSipListener(server);
            stack.start();
            LOG.info("sip mobility server listening sip={} h248={} gateway={}", server.sipAddress,
                megaco.address(), gatewayControl);
            return server;
        } catch (Exception e) {
            if (megaco != null) {
                megaco.close();
            }
            stack.stop();
            throw e;
        }
    }

    /*
     * JAIN-SIP's UDP listening point keeps the port it was asked for, so port 0 cannot be reported back; take a
     * free one from the kernel first. The window between close and re-bind is a test-only concern.
     */
    private static int freeUdpPort(String host) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(host, 0))) {
            return s.getLocalPort();
        }
    }

    public InetSocketAddress sipAddress() {
        return sipAddress;
    }

    /** The number of calls in progress (either leg's Call-ID counts once). */
    public int calls() {
        return onControl(() -> (int) calls.values().stream().distinct().count());
    }

    /** The contact URI registered for {@code aor}, or null. */
    public String contact(String aor) {
        return onControl(() -> {
            Binding b = bindings.get(aor);
            return b == null || !b.live(System.nanoTime()) ? null : b.contact().getURI().toString();
        });
    }

    private <T> T onControl(Callable<T> task) {
        try {
            return control.submit(task).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("sip-control did not answer: " + e, e);
        }
    }

    @Override
    public void close() {
        control.shutdownNow();
        try {
            stack.stop();
        } finally {
            megaco.close();
        }
    }

    // ---- SipListener: JAIN-SIP threads, hand over only -------------------------------------------------------

    /** Hands a task to {@link #control}; after {@link #close()} late stack events are dropped. */
    private void post(Runnable task) {
        try {
            control.execute(task);
        } catch (RejectedExecutionException closed) {
            LOG.debug("sip event after close dropped");
        }
    }

    @Override
    public void processRequest(RequestEvent event) {
        post(() -> {
            try {
                onRequest(event);
            } catch (Exception e) {
                LOG.warn("sip request failed method={} callId={}: {}", event.getRequest().getMethod(),
                    callId(event.getRequest()), e.toString(), e);
            }
        });
    }

    @Override
    public void processResponse(ResponseEvent event) {
        post(() -> {
            try {
                onResponse(event);
            } catch (Exception e) {
                LOG.warn("sip response failed status={} callId={}: {}", event.getResponse().getStatusCode(),
                    callId(event.getResponse()), e.toString(), e);
            }
        });
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        post(() -> onClientTimeout(event.getClientTransaction()));
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.debug("sip io error host={} port={}", event.getHost(), event.getPort());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    // ---- requests ---------------------------------------------------------------------------------------------

    private void onRequest(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        switch (request.getMethod()) {
            case Request.REGISTER -> onRegister(event);
            case Request.OPTIONS -> respond(event, messages.createResponse(Response.OK, request));
            case Request.INVITE -> {
                if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null) {
                    onInvite(event);
                } else {
                    onReInvite(event);
                }
            }
            case Request.ACK -> {
                // The stack matched it to the dialog; nothing more to do (we never offer in a 2xx).
            }
            case Request.BYE -> onBye(event);
            case Request.CANCEL -> onCancel(event);
            default -> {
                Response r = messages.createResponse(Response.NOT_IMPLEMENTED, request);
                respond(event, r);
            }
        }
    }

    /** RFC 3261 10.3: one contact per AOR here; Expires 0 (or Contact: * with Expires 0) removes it. */
    private void onRegister(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        String aor = aor(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI());
        if (aor == null) {
            respond(event, messages.createResponse(Response.BAD_REQUEST, request));
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
                    respond(event, messages.createResponse(Response.BAD_REQUEST, request));
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
                Binding before = bindings.put(aor, new Binding(c.getAddress(), now + TimeUnit.SECONDS.toNanos(expires)));
                if (before != null && !before.contact().getURI().equals(c.getAddress().getURI())) {
                    onContactMoved(aor);
                }
            }
        }
        Response ok = messages.createResponse(Response.OK, request);
        Binding b = bindings.get(aor);
        if (b != null && b.live(now)) {
            int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(b.expiresAtNanos() - now));
            ContactHeader contact = headers.createContactHeader(b.contact());
            contact.setExpires(left);
            ok.addHeader(contact);
            ok.addHeader(headers.createExpiresHeader(left));
        }
        LOG.info("sip register aor={} contact={}", aor, b == null ? "-" : b.contact().getURI());
        respond(event, ok);
    }

    /**
     * The party registered from a new contact during a call: its address is about to change (docs/architecture.md
     * section 2.7). Its
     * leg on the gateway is marked moving, so what the other party says is held, in order, instead of going to the
     * old address; the re-INVITE's Modify with the new Remote then sends it first.
     */
    private void onContactMoved(String aor) {
        Set<Call> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Call call : calls.values()) {
            if (!seen.add(call) || call.ended || !call.answered || !call.context.isConcrete()) {
                continue;
            }
            Leg leg = call.caller.aor.equals(aor) ? call.caller : call.callee.aor.equals(aor) ? call.callee : null;
            if (leg == null || leg.termination == null) {
                continue;
            }
            // Only logged, so read off this thread: take the ids now rather than the mutable call and leg.
            ContextId context = call.context;
            TerminationId termination = leg.termination;
            gateway.modifyStreamAsync(context, termination, StreamRequest.MOVING).whenComplete((marked, error) -> {
                if (error != null) {
                    // Not fatal: without the mark the move still happens at the re-INVITE, only without holding.
                    LOG.warn("sip move: cannot mark leg moving aor={} ctx={} term={} cause={}", aor, context,
                        termination, describe(error));
                } else {
                    LOG.info("sip move: holding media for aor={} ctx={} term={} until its re-INVITE", aor, context,
                        termination);
                }
            });
        }
    }

    private void onInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = serverTransaction(event);
        if (st == null) {
            return;
        }
        st.sendResponse(messages.createResponse(Response.TRYING, request));
        String target = aor(request.getRequestURI());
        Binding b = target == null ? null : bindings.get(target);
        String callerCallId = callId(request);
        if (b == null || !b.live(System.nanoTime())) {
            LOG.info("sip invite to unknown name target={} callId={}", target, callerCallId);
            st.sendResponse(withTag(messages.createResponse(Response.NOT_FOUND, request), newTag()));
            return;
        }
        SessionDescription offer = sdp(request.getRawContent());
        if (offer == null) {
            // No offer in the INVITE (offer in the 2xx, RFC 3264) is not supported: the gateway needs a Remote.
            st.sendResponse(withTag(messages.createResponse(Response.NOT_ACCEPTABLE_HERE, request), newTag()));
            return;
        }
        String callerAor = aor(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI());
        Call call = new Call(new Leg(callerAor), new Leg(target), st, newTag());
        call.caller.callId = callerCallId;
        call.caller.pendingInvite = st;
        calls.put(callerCallId, call);
        // Add, with the caller's Remote now; the callee's leg stays Inactive until its answer gives a Remote.
        gateway.addAsync(ContextId.CHOOSE, List.of(
            StreamRequest.of(StreamMode.SEND_RECEIVE, offer.format("\n")),
            StreamRequest.of(StreamMode.INACTIVE, null))).whenCompleteAsync((added, error) -> {
            try {
                onContextAdded(call, b, request, offer, added, error);
            } catch (Exception e) {
                LOG.warn("sip call setup failed callId={}: {}", callerCallId, e.toString(), e);
                fail(call, Response.SERVER_INTERNAL_ERROR);
            }
        }, control);
    }

    private void onContextAdded(Call call, Binding callee, Request callerRequest, SessionDescription offer,
                                List<Added> added, Throwable error) throws Exception {
        if (error != null) {
            GatewayException refusal = gatewayFailure(error);
            LOG.warn("sip call: gateway refused the context callId={} code={}: {}", call.caller.callId,
                refusal.code(), refusal.getMessage());
            fail(call, Response.SERVICE_UNAVAILABLE, refusal);
            return;
        }
        call.context = added.get(0).context();
        call.caller.termination = added.get(0).termination();
        call.callee.termination = added.get(1).termination();
        call.caller.gatewayMedia = added.get(0).local();
        call.callee.gatewayMedia = added.get(1).local();
        if (call.cancelled) {
            release(call);
            return;
        }
        // The new UAC dialog towards the callee (B2BUA): a fresh Call-ID and From tag, the caller's identities.
        FromHeader callerFrom = (FromHeader) callerRequest.getHeader(FromHeader.NAME);
        ToHeader callerTo = (ToHeader) callerRequest.getHeader(ToHeader.NAME);
        CallIdHeader callId = provider.getNewCallId();
        call.callee.callId = callId.getCallId();
        calls.put(call.callee.callId, call);
        String body = rewrite(offer, call.callee.gatewayMedia);
        Request invite = messages.createRequest(callee.contact().getURI(), Request.INVITE, callId,
            headers.createCSeqHeader(1L, Request.INVITE),
            headers.createFromHeader((Address) callerFrom.getAddress().clone(), newTag()),
            headers.createToHeader((Address) callerTo.getAddress().clone(), null),
            List.of(via()), maxForwards(),
            sdpType(), body.getBytes(StandardCharsets.UTF_8));
        invite.addHeader(ourContact());
        call.calleeInvite = provider.getNewClientTransaction(invite);
        call.callee.dialog = call.calleeInvite.getDialog();
        call.callee.sdpToParty = body;
        call.calleeInvite.sendRequest();
        LOG.info("sip call ctx={} caller={} callee={} termCaller={} termCallee={}", call.context, call.caller.aor,
            call.callee.aor, call.caller.termination, call.callee.termination);
    }

    /** A re-INVITE: a move when its SDP carries a new address (docs/architecture.md section 2.6 step 2). */
    private void onReInvite(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        Call call = calls.get(callId(request));
        ServerTransaction st = serverTransaction(event);
        if (st == null) {
            return;
        }
        Leg leg = call == null ? null : call.leg(callId(request));
        if (leg == null || call.ended || leg.termination == null || leg.sdpToParty == null) {
            st.sendResponse(messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            return;
        }
        if (leg.pendingInvite != null) {
            // RFC 3261 14.2: a second INVITE before the final response to the first gets 500 with Retry-After.
            // In practice the JAIN-SIP dialog layer answers this overlap itself (491 + Retry-After) before the
            // listener sees it; this branch covers a stack configured without that check.
            Response r = messages.createResponse(Response.SERVER_INTERNAL_ERROR, request);
            r.addHeader(headers.createRetryAfterHeader(RETRY_AFTER_S));
            st.sendResponse(r);
            return;
        }
        if (call.inviteUnanswered()) {
            // The two dialogs share one session on the gateway: a re-INVITE from the other party while a move
            // is being applied is a crossing re-INVITE, answered as a UA would answer glare (RFC 3261 14.2):
            // 491, and the party retries after a random wait (14.1).
            st.sendResponse(messages.createResponse(Response.REQUEST_PENDING, request));
            return;
        }
        SessionDescription moved = sdp(request.getRawContent());
        if (moved == null) {
            st.sendResponse(okWithSdp(request, leg.sdpToParty));
            return;
        }
        leg.pendingInvite = st;
        // The new Remote also ends a move marked by a REGISTER: the gateway sends what it held there first.
        StreamRequest newRemote = StreamRequest.of(StreamMode.SEND_RECEIVE, moved.format("\n"));
        LOG.info("sip move ctx={} party={} term={} remote={}:{}", call.context, leg.aor, leg.termination,
            moved.connectionAddress(), moved.port());
        beforeMove.apply(leg.aor)
            .thenCompose(v -> gateway.modifyStreamAsync(call.context, leg.termination, newRemote))
            .whenCompleteAsync((applied, error) -> {
                leg.pendingInvite = null;
                try {
                    if (error != null) {
                        GatewayException refusal = gatewayFailure(error);
                        LOG.warn("sip move refused by the gateway ctx={} term={} code={}: {}", call.context,
                            leg.termination, refusal.code(), refusal.getMessage());
                        st.sendResponse(withWarning(messages.createResponse(Response.NOT_ACCEPTABLE_HERE, request),
                            refusal));
                        return;
                    }
                    st.sendResponse(okWithSdp(request, leg.sdpToParty));
                } catch (Exception e) {
                    LOG.warn("sip move answer failed ctx={}: {}", call.context, e.toString());
                }
            }, control);
    }

    private void onBye(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = serverTransaction(event);
        if (st == null) {
            return;
        }
        Call call = calls.get(callId(request));
        if (call == null || call.ended) {
            st.sendResponse(messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            return;
        }
        st.sendResponse(messages.createResponse(Response.OK, request));
        Leg other = call.other(call.leg(callId(request)));
        LOG.info("sip bye ctx={} from={}", call.context, call.leg(callId(request)).aor);
        if (call.answered && other.dialog != null) {
            sendInDialog(other.dialog, Request.BYE);
        } else if (other == call.callee && call.calleeInvite != null) {
            cancelCallee(call);
        }
        release(call);
    }

    private void onCancel(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        ServerTransaction st = serverTransaction(event);
        Call call = calls.get(callId(request));
        if (st == null) {
            return;
        }
        if (call == null || call.answered || call.ended) {
            st.sendResponse(messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
            return;
        }
        st.sendResponse(messages.createResponse(Response.OK, request));
        call.cancelled = true;
        finalToCaller(call, Response.REQUEST_TERMINATED);
        cancelCallee(call);
        if (call.context.isConcrete()) {
            release(call);
        }
    }

    // ---- responses from callees -------------------------------------------------------------------------------

    private void onResponse(ResponseEvent event) throws Exception {
        Response response = event.getResponse();
        CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
        Call call = calls.get(callId(response));
        if (call == null || !Request.INVITE.equals(cseq.getMethod())) {
            return;
        }
        int status = response.getStatusCode();
        if (status < 200) {
            if (status > 100) {
                call.provisionalFromCallee = true;
                if (call.cancelled) {
                    cancelCallee(call);
                } else if (!call.answered && call.callerInvite.getState() == TransactionState.PROCEEDING) {
                    // Early media is not anchored: the provisional goes on without a body.
                    Response p = messages.createResponse(status, call.callerInvite.getRequest());
                    call.callerInvite.sendResponse(withTag(p, call.callerTag));
                }
            }
            return;
        }
        if (status >= 300) {
            if (!call.cancelled && !call.ended) {
                LOG.info("sip call rejected by callee ctx={} status={}", call.context, status);
                finalToCaller(call, status);
                release(call);
            }
            return;
        }
        Dialog dialog = event.getDialog() != null ? event.getDialog() : call.callee.dialog;
        dialog.sendAck(dialog.createAck(cseq.getSeqNumber()));
        if (call.answered) {
            return;
        }
        if (call.cancelled || call.ended) {
            // The 2xx crossed our CANCEL: the callee is in a call nobody wants (RFC 3261 9.1).
            sendInDialog(dialog, Request.BYE);
            return;
        }
        call.answered = true;
        call.callee.dialog = dialog;
        SessionDescription answer = sdp(response.getRawContent());
        if (answer == null) {
            LOG.warn("sip call: callee answered without SDP ctx={}", call.context);
            sendInDialog(dialog, Request.BYE);
            finalToCaller(call, Response.NOT_ACCEPTABLE_HERE);
            release(call);
            return;
        }
        gateway.modifyStreamAsync(call.context, call.callee.termination,
                StreamRequest.of(StreamMode.SEND_RECEIVE, answer.format("\n")))
            .whenCompleteAsync((applied, error) -> {
                try {
                    if (error != null) {
                        GatewayException refusal = gatewayFailure(error);
                        LOG.warn("sip call: gateway refused the callee's Remote ctx={} code={}: {}", call.context,
                            refusal.code(), refusal.getMessage());
                        sendInDialog(call.callee.dialog, Request.BYE);
                        fail(call, Response.SERVICE_UNAVAILABLE, refusal);
                        return;
                    }
                    if (call.ended) {
                        return;
                    }
                    String body = rewrite(answer, call.caller.gatewayMedia);
                    call.caller.sdpToParty = body;
                    Response ok = okWithSdp(call.callerInvite.getRequest(), body);
                    call.callerInvite.sendResponse(withTag(ok, call.callerTag));
                    call.caller.dialog = call.callerInvite.getDialog();
                    call.caller.pendingInvite = null;
                    LOG.info("sip call answered ctx={} caller={} callee={}", call.context, call.caller.aor,
                        call.callee.aor);
                } catch (Exception e) {
                    LOG.warn("sip call answer failed ctx={}: {}", call.context, e.toString(), e);
                }
            }, control);
    }

    private void onClientTimeout(ClientTransaction ct) {
        if (ct == null || !Request.INVITE.equals(ct.getRequest().getMethod())) {
            return;
        }
        Call call = calls.get(callId(ct.getRequest()));
        if (call != null && !call.answered && !call.ended) {
            LOG.info("sip callee did not answer ctx={} callee={}", call.context, call.callee.aor);
            fail(call, Response.REQUEST_TIMEOUT);
        }
    }

    // ---- call helpers -----------------------------------------------------------------------------------------

    private void fail(Call call, int status) {
        fail(call, status, null);
    }

    /** Ends the call with {@code status} to the caller; a gateway's refusal is named in a Warning. */
    private void fail(Call call, int status, GatewayException refusal) {
        finalToCaller(call, status, refusal);
        release(call);
    }

    private void finalToCaller(Call call, int status) {
        finalToCaller(call, status, null);
    }

    private void finalToCaller(Call call, int status, GatewayException refusal) {
        call.caller.pendingInvite = null;
        try {
            TransactionState s = call.callerInvite.getState();
            if (s == TransactionState.PROCEEDING || s == TransactionState.TRYING) {
                Response r = messages.createResponse(status, call.callerInvite.getRequest());
                call.callerInvite.sendResponse(withTag(refusal == null ? r : withWarning(r, refusal), call.callerTag));
            }
        } catch (Exception e) {
            LOG.debug("sip final response to caller failed status={}: {}", status, e.toString());
        }
    }

    private void cancelCallee(Call call) {
        ClientTransaction ct = call.calleeInvite;
        if (ct == null || !call.provisionalFromCallee) {
            return; // RFC 3261 9.1: CANCEL only after a provisional; onResponse cancels when one comes.
        }
        try {
            if (ct.getState() == TransactionState.PROCEEDING) {
                provider.getNewClientTransaction(ct.createCancel()).sendRequest();
            }
        } catch (Exception e) {
            LOG.debug("sip cancel to callee failed: {}", e.toString());
        }
    }

    /** Ends the call: Subtract every termination of its context (the gateway then frees the context). */
    private void release(Call call) {
        if (call.ended) {
            return;
        }
        call.ended = true;
        calls.values().removeIf(c -> c == call);
        if (!call.context.isConcrete()) {
            return;
        }
        gateway.releaseAsync(call.context)
            .whenComplete((released, e) -> {
                if (e != null) {
                    LOG.warn("sip release: subtract failed ctx={}: {}", call.context, describe(e));
                } else {
                    LOG.info("sip call released ctx={}", call.context);
                }
            });
    }

    private void sendInDialog(Dialog dialog, String method) {
        try {
            Request r = dialog.createRequest(method);
            dialog.sendRequest(provider.getNewClientTransaction(r));
        } catch (SipException e) {
            LOG.debug("sip {} in dialog failed: {}", method, e.toString());
        }
    }

    // ---- H.248 ------------------------------------------------------------------------------------------------

    /**
     * The GatewayClient's failure behind a continuation's error. Its futures fail with a GatewayException, but a
     * stage composed after them (e.g. after {@link #beforeMove}) sees it wrapped in a CompletionException.
     */
    private GatewayException gatewayFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof GatewayException g ? g
            : new GatewayException(gateway.name(), 0, cause.toString(), cause);
    }

    private String describe(Throwable error) {
        return gatewayFailure(error).getMessage();
    }

    /** RFC 3261 20.43: tells the party which H.248 error (or timeout) the gateway answered. */
    private Response withWarning(Response response, GatewayException refusal) {
        try {
            // A warn-text is a quoted-string: no bare double quote or backslash inside.
            String text = "H.248 to gateway " + refusal.getMessage().replace('"', '\'').replace('\\', '/');
            WarningHeader warning = headers.createWarningHeader(
                sipAddress.getAddress().getHostAddress() + ":" + sipAddress.getPort(), WARN_MISC, text);
            response.addHeader(warning);
        } catch (ParseException | InvalidArgumentException e) {
            LOG.debug("sip warning header not added: {}", e.toString());
        }
        return response;
    }

    // ---- SIP helpers ------------------------------------------------------------------------------------------

    /** The party's SDP with the gateway's address and port in place of the party's own. */
    private static String rewrite(SessionDescription sdp, InetSocketAddress gatewayMedia) {
        String type = gatewayMedia.getAddress() instanceof Inet6Address ? "IP6" : "IP4";
        return sdp.withConnection(type, gatewayMedia.getAddress().getHostAddress())
            .withMediaPort(0, gatewayMedia.getPort())
            .format("\r\n");
    }

    private static SessionDescription sdp(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return SessionDescription.parse(new String(body, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return null;
        }
    }

    /** {@code user@host} of a SIP URI, or null for other schemes. */
    static String aor(URI uri) {
        if (!(uri instanceof SipURI sip) || sip.getUser() == null) {
            return null;
        }
        return sip.getUser() + "@" + sip.getHost().toLowerCase(Locale.ROOT);
    }

    private Response okWithSdp(Request request, String sdp) throws ParseException {
        Response ok = messages.createResponse(Response.OK, request, sdpType(), sdp.getBytes(StandardCharsets.UTF_8));
        ok.addHeader(ourContact());
        return ok;
    }

    private static Response withTag(Response response, String tag) throws ParseException {
        ToHeader to = (ToHeader) response.getHeader(ToHeader.NAME);
        if (to.getTag() == null) {
            to.setTag(tag);
        }
        return response;
    }

    private ServerTransaction serverTransaction(RequestEvent event) {
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

    private void respond(RequestEvent event, Response response) throws Exception {
        ServerTransaction st = serverTransaction(event);
        if (st != null) {
            st.sendResponse(response);
        }
    }

    private ContactHeader ourContact() throws ParseException {
        SipURI uri = addresses.createSipURI("hopgate", sipAddress.getAddress().getHostAddress());
        uri.setPort(sipAddress.getPort());
        return headers.createContactHeader(addresses.createAddress(uri));
    }

    private ViaHeader via() throws ParseException, InvalidArgumentException {
        return headers.createViaHeader(sipAddress.getAddress().getHostAddress(), sipAddress.getPort(),
            ListeningPoint.UDP, null);
    }

    private MaxForwardsHeader maxForwards() throws InvalidArgumentException {
        return headers.createMaxForwardsHeader(70);
    }

    private ContentTypeHeader sdpType() throws ParseException {
        return headers.createContentTypeHeader("application", "sdp");
    }

    private static String newTag() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static String callId(javax.sip.message.Message m) {
        CallIdHeader h = (CallIdHeader) m.getHeader(CallIdHeader.NAME);
        return h == null ? "" : h.getCallId();
    }
}
