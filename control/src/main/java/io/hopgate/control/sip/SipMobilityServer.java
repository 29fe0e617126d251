package io.hopgate.control.sip;

import io.hopgate.control.anchor.SdpAnchor;
import io.hopgate.control.channel.InMemoryLocator;
import io.hopgate.control.channel.Locator;
import io.hopgate.control.channel.MobileChannel;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.control.megaco.MegacoOptions;
import io.hopgate.control.mgc.GatewayClient;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Address;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * This class is the lifecycle and the hand-over from JAIN-SIP's threads; the work is split by concern:
 * {@link SipStackSetup} builds the stack, {@link Registrar} keeps the bindings, {@link B2bua} runs the calls as
 * {@link DialogPair}s, and {@link SdpAnchor} (package {@code anchor}, free of SIP) rewrites offer and answer onto the
 * gateway.
 *
 * <p>Threading: JAIN-SIP listener threads and the H.248 reply thread only post to {@link #control}; the registrar,
 * the B2BUA and every call are read and written on that one thread.
 */
public final class SipMobilityServer implements SipListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipMobilityServer.class);
    /**
     * A last-resort bound for the GatewayClient's blocking calls, which this server does not make; its own waits
     * end with the MegacoEndpoint's retransmission timeout.
     */
    private static final long GATEWAY_WAIT_MS = 10_000;

    private final ScheduledExecutorService control;
    private SipEndpoint sip;
    /** Owned here (closed with the server); the anchor's GatewayClient only sends through it. */
    private MegacoEndpoint megaco;
    /** False when the endpoint is the call server's (callserver.h248.listen): its owner closes it. */
    private boolean ownsMegaco = true;
    private Registrar registrar;
    /** Fed by the registrar on the control thread; read by data channels on theirs (it is thread-safe). */
    private final InMemoryLocator channels = new InMemoryLocator();
    private B2bua b2bua;

    /** Test seam: runs before each H.248 Modify of a move, on {@link #control}; may delay the move. */
    volatile Function<String, CompletableFuture<Void>> beforeMove = aor -> CompletableFuture.completedFuture(null);

    private SipMobilityServer() {
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
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
        return start(sipListen, gatewayControl, null);
    }

    /**
     * As {@link #start(InetSocketAddress, InetSocketAddress)}, sending H.248 from {@code h248} (the call server's
     * endpoint on callserver.h248.listen, which this server uses but does not close); null = its own client
     * endpoint on an ephemeral port of the SIP host.
     */
    public static SipMobilityServer start(InetSocketAddress sipListen, InetSocketAddress gatewayControl,
                                          MegacoEndpoint h248) throws Exception {
        SipMobilityServer server = new SipMobilityServer();
        try {
            server.sip = SipStackSetup.bind(sipListen, server);
            String host = server.sip.address.getAddress().getHostAddress();
            // Client role only: no handler, so a request from the gateway is answered with Error 501.
            server.ownsMegaco = h248 == null;
            server.megaco = h248 != null ? h248 : MegacoEndpoint.bind(new InetSocketAddress(host, 0),
                "[" + host + "]:0", MegacoOptions.defaults(), null, null);
            GatewayClient gateway = new GatewayClient(gatewayControl.getHostString() + ":" + gatewayControl.getPort(),
                gatewayControl, server.megaco, GATEWAY_WAIT_MS);
            server.wire(new SdpAnchor(gateway));
            server.sip.stack.start();
            LOG.info("sip mobility server listening sip={} h248={} gateway={}", server.sip.address,
                server.megaco.address(), gatewayControl);
            return server;
        } catch (Exception e) {
            server.close();
            throw e;
        }
    }

    /* On the control thread, which owns the registrar and the B2BUA; the stack starts (and events come) after. */
    private void wire(SdpAnchor anchor) throws Exception {
        control.submit(() -> {
            registrar = new Registrar(sip, aor -> b2bua.onContactMoved(aor), this::onBinding);
            b2bua = new B2bua(sip, registrar, anchor, control, () -> beforeMove);
            return null;
        }).get(5, TimeUnit.SECONDS);
    }

    /**
     * Where each registered party's mobile data channel listens, as its REGISTERs say ({@link ChannelContact}): a
     * {@link MobileChannel} opened with this locator follows the party when it re-registers from a new contact.
     */
    public Locator channelLocator() {
        return channels;
    }

    /* On the control thread, after every REGISTER. */
    private void onBinding(String aor, Address contact) {
        Optional<InetSocketAddress> at = ChannelContact.of(contact);
        if (at.isPresent()) {
            channels.register(aor, at.get());
            Registrar.Binding binding = registrar.lookup(aor);
            if (binding != null) {
                // A party that stops re-registering (killed, out of coverage) has no channel once its binding
                // expires; a later REGISTER schedules its own check, so this one then finds the binding live.
                long left = binding.expiresAtNanos() - System.nanoTime();
                control.schedule(() -> forgetIfExpired(aor), left + TimeUnit.MILLISECONDS.toNanos(1),
                    TimeUnit.NANOSECONDS);
            }
        } else {
            channels.unregister(aor);
        }
    }

    /* On the control thread, when a binding's expiry comes. */
    private void forgetIfExpired(String aor) {
        if (registrar.lookup(aor) == null) {
            channels.unregister(aor);
        }
    }

    /** The address this server's H.248 commands to the gateway come from. */
    public InetSocketAddress h248Address() {
        return megaco.address();
    }

    public InetSocketAddress sipAddress() {
        return sip.address;
    }

    /** The number of calls in progress (either leg's Call-ID counts once). */
    public int calls() {
        return onControl(() -> b2bua.calls());
    }

    /** The contact URI registered for {@code aor}, or null. */
    public String contact(String aor) {
        return onControl(() -> registrar.contact(aor));
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
            if (sip != null) {
                sip.stack.stop();
            }
        } finally {
            if (megaco != null && ownsMegaco) {
                megaco.close();
            }
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
                    SipEndpoint.callId(event.getRequest()), e.toString(), e);
            }
        });
    }

    @Override
    public void processResponse(ResponseEvent event) {
        post(() -> {
            try {
                b2bua.onResponse(event);
            } catch (Exception e) {
                LOG.warn("sip response failed status={} callId={}: {}", event.getResponse().getStatusCode(),
                    SipEndpoint.callId(event.getResponse()), e.toString(), e);
            }
        });
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        post(() -> b2bua.onClientTimeout(event.getClientTransaction()));
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

    private void onRequest(RequestEvent event) throws Exception {
        Request request = event.getRequest();
        switch (request.getMethod()) {
            case Request.REGISTER -> registrar.onRegister(event);
            case Request.OPTIONS -> sip.respond(event, sip.response(Response.OK, request));
            case Request.INVITE -> {
                if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null) {
                    b2bua.onInvite(event);
                } else {
                    b2bua.onReInvite(event);
                }
            }
            case Request.ACK -> {
                // The stack matched it to the dialog; nothing more to do (we never offer in a 2xx).
            }
            case Request.BYE -> b2bua.onBye(event);
            case Request.CANCEL -> b2bua.onCancel(event);
            default -> sip.respond(event, sip.response(Response.NOT_IMPLEMENTED, request));
        }
    }
}
