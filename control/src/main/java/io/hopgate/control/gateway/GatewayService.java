package io.hopgate.control.gateway;

import io.hopgate.control.service.Service;
import io.hopgate.control.admin.AdminServer;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigKey;
import io.hopgate.control.config.ControlSettings;
import io.hopgate.control.config.MediaSettings;
import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.CommandRequest;
import io.hopgate.control.h248.CommandType;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.MegacoException;
import io.hopgate.control.h248.ServiceChangeDescriptor;
import io.hopgate.control.h248.ServiceChangeMethod;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.control.megaco.MegacoOptions;
import io.hopgate.control.ng.NgEndpoint;
import io.hopgate.control.ng.NgLeg;
import io.hopgate.media.MediaContext;
import io.hopgate.media.MediaPlane;
import io.hopgate.media.MediaPlaneConfig;
import io.hopgate.media.RemoteAddress;
import io.hopgate.media.Termination;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code hopgate gateway}: the media plane, its H.248 endpoint on {@code control.listen}, and the admin endpoint.
 * At start-up it announces itself to {@code control.mgc} (when set) with ServiceChange Restart.
 */
public final class GatewayService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);

    private final Config config;
    private MediaPlane plane;
    private GatewayMetrics metrics;
    private MegacoEndpoint endpoint;
    private AdminServer admin;
    private NgEndpoint ng;
    private GatewayCallState callState;
    /** ng terminations' call-state attributes (kept by the ng front end; restored ones until it starts). */
    private final Map<String, Map<String, String>> ngAttributes = new java.util.concurrent.ConcurrentHashMap<>();
    /** Terminations restored with ng attributes, handed to the ng front end when it starts. */
    private final List<NgLeg> ngRestored = new ArrayList<>();

    public GatewayService(Config config) {
        this.config = config;
    }

    @Override
    public void start() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // Netty samples one buffer in 128 for leak tracing by default; a packet relay pays that on the hot path.
            // Tests run at PARANOID instead (surefire sets the property).
            io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        }
        MediaSettings media = config.media();
        ControlSettings control = config.control();
        plane = MediaPlane.start(mediaConfig(media));
        metrics = new GatewayMetrics(plane);
        GatewayCommands commands = new GatewayCommands(plane, metrics);
        GatewayRestore.Report restored = startCallState(control, commands);
        MegacoOptions options = MegacoOptions.defaults()
            .withReplyCacheMs(control.replyCacheMs())
            .withPendingAfterMs(control.pendingAfterMs())
            .withMaxMessageBytes(control.maxMessageBytes())
            .withAllowedPeer(allowedPeers(control.allowedPeers()));
        warnIfOpenToAnyone(control);
        try {
            endpoint = MegacoEndpoint.bind(control.listen(), control.mid(), options, commands,
                new MegacoEndpoint.Listener() {
                    @Override
                    public void onRefused(InetSocketAddress peer) {
                        metrics.onRefused();
                    }

                    @Override
                    public void onMalformed(InetSocketAddress peer, MegacoException error) {
                        metrics.onMalformed();
                    }

                    @Override
                    public void onRetransmissionAnswered(InetSocketAddress peer, long transactionId) {
                        metrics.onRetransmission();
                    }

                    @Override
                    public void onQueueOverflow(InetSocketAddress peer) {
                        metrics.onQueueOverflow();
                    }

                    @Override
                    public void onReplyEvicted() {
                        metrics.onReplyEvicted();
                    }

                    @Override
                    public void onReplyTooLarge(InetSocketAddress peer, int bytes) {
                        metrics.onReplyTooLarge();
                    }
                });
        } catch (IllegalStateException e) {
            closeCallState();
            plane.close();
            throw new IllegalStateException(e.getMessage().replace("H.248 endpoint", "control.listen"), e);
        }
        Optional<InetSocketAddress> adminListen = config.optionalSocketAddress(ConfigKey.ADMIN_LISTEN);
        if (adminListen.isPresent()) {
            try {
                admin = AdminServer.start(adminListen.get(), metrics.registry(), this::contextsView);
            } catch (RuntimeException e) {
                endpoint.close();
                closeCallState();
                plane.close();
                throw e;
            }
        }
        startNg(control);
        List<InetSocketAddress> own = new ArrayList<>(List.of(endpoint.address()));
        if (ngAddress() != null) {
            own.add(ngAddress());
        }
        commands.controlAddresses(own);
        LOG.info("gateway listening control={} mid={} media={}:{}-{} admin={} allowed-peers={}",
            format(endpoint.address()), endpoint.mid(), media.address(), media.portMin(), media.portMax(),
            admin == null ? "off" : format(admin.address()),
            control.allowsAnyPeer() ? "any" : String.join(",", control.allowedPeers()));
        control.mgc().ifPresent(mgc -> announce(mgc, restored));
    }

    /**
     * Anyone who reaches the control port controls the gateway when {@code control.allowed-peers} is empty: fine on
     * loopback, a hazard on any other address. Hopgate starts anyway (a lab setup is common) but says so loudly at
     * WARN, naming the keys to set (README, "Control plane security").
     */
    static boolean warnIfOpenToAnyone(ControlSettings control) {
        InetSocketAddress listen = control.listen();
        if (!control.allowsAnyPeer() || listen.getAddress() == null || listen.getAddress().isLoopbackAddress()) {
            return false;
        }
        LOG.warn("SECURITY: control.listen={} is not a loopback address and control.allowed-peers is empty: ANY host"
            + " that can reach this port can create, change and delete calls on this gateway. Set"
            + " control.allowed-peers to the IP addresses of your MGCs (e.g. --set control.allowed-peers=10.0.0.5),"
            + " or listen on 127.0.0.1.", format(listen));
        return true;
    }

    /**
     * With {@code state.redis} set: the recorder, then the contexts the store holds for this gateway.mid restored
     * before the control endpoint answers (docs/ha.md). Null when it is off.
     */
    private GatewayRestore.Report startCallState(ControlSettings control, GatewayCommands commands) {
        String uri = config.string(ConfigKey.STATE_REDIS);
        if (uri.isEmpty()) {
            IdEpoch.apply(plane, IdEpoch.fromClock());
            return null;
        }
        java.time.Duration timeout = java.time.Duration.ofMillis(config.durationMs(ConfigKey.STATE_TIMEOUT_MS));
        try {
            io.hopgate.control.state.RedisCallStateStore store =
                io.hopgate.control.state.RedisCallStateStore.create(uri, control.mid(), timeout);
            io.hopgate.control.state.StateRecorder recorder = new io.hopgate.control.state.StateRecorder(store,
                timeout, java.time.Duration.ofMillis(500), metrics.registry());
            callState = new GatewayCallState(plane, recorder,
                "refuse".equals(config.string(ConfigKey.STATE_ON_FAILURE)), t -> {
                    Map<String, String> ngSide = ngAttributes.get(t.id());
                    return ngSide != null ? ngSide : commands.stateAttributes(t);
                }, 1000);
            GatewayRestore.Report report = GatewayRestore.run(plane, callState, (t, attributes) -> {
                if (NgEndpoint.ownsAttributes(attributes)) {
                    ngAttributes.put(t.id(), attributes);
                    ngRestored.add(new NgLeg(t, attributes));
                } else {
                    commands.restored(t, attributes);
                }
            });
            commands.callState(callState);
            return report;
        } catch (RuntimeException e) {
            closeCallState();
            plane.close();
            throw e;
        }
    }

    private void closeCallState() {
        if (callState != null) {
            callState.close();
            callState.recorder().close();
            callState = null;
        }
    }

    /** rtpengine's ng protocol on {@code ng.listen} (off when empty), driving the same media plane. */
    private void startNg(ControlSettings control) {
        Optional<InetSocketAddress> listen = config.optionalSocketAddress(ConfigKey.NG_LISTEN);
        if (listen.isEmpty()) {
            return;
        }
        List<String> peers = config.list(ConfigKey.NG_ALLOWED_PEERS);
        try {
            GatewayCallState state = callState;
            NgEndpoint.Replication replication = state == null ? null : new NgEndpoint.Replication(ngAttributes,
                context -> {
                    io.hopgate.control.h248.ErrorDescriptor refused = state.afterAction(context);
                    return refused == null ? null : refused.text();
                }, List.copyOf(ngRestored), new NgReplies(state.recorder()));
            ng = NgEndpoint.bind(listen.get(), plane, allowedPeers(peers.isEmpty() ? control.allowedPeers() : peers),
                control.replyCacheMs(), config.durationMs(ConfigKey.NG_DELETE_DELAY_MS), metrics.registry(),
                replication);
            ngRestored.clear();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("ng listening ng={} allowed-peers={}", format(ng.address()),
            peers.isEmpty() ? (control.allowsAnyPeer() ? "any" : "control.allowed-peers") : String.join(",", peers));
    }

    /** The ng endpoint's address, or null when {@code ng.listen} is empty. */
    public InetSocketAddress ngAddress() {
        return ng == null ? null : ng.address();
    }

    static MediaPlaneConfig mediaConfig(MediaSettings media) {
        InetAddress address;
        try {
            address = InetAddress.getByName(media.address());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("media.address=" + media.address() + ": not an IP address", e);
        }
        return MediaPlaneConfig.builder(address, media.portMin(), media.portMax())
            .ioThreads(media.ioThreads())
            .maxContexts(media.maxContexts())
            .maxTerminationsPerContext(media.maxTerminationsPerContext())
            .rewriteContinuity(media.rewritesContinuity())
            .socketBufferBytes(media.socketBufferBytes())
            .dualReceiveMs((int) media.dualReceiveMs())
            .moveBuffer((int) media.moveBufferMs(), media.moveBufferPackets())
            .latch(media.latch())
            .connectSockets(media.connectSockets())
            .moveOnUnreachable(media.moveOnUnreachable())
            .transport(media.transport())
            .build();
    }

    /** {@code control.allowed-peers}: entries are an IP (any port) or IP:port; an empty list allows everyone. */
    static Predicate<InetSocketAddress> allowedPeers(List<String> entries) {
        if (entries.isEmpty()) {
            return peer -> true;
        }
        List<String> list = List.copyOf(entries);
        return peer -> {
            String ip = peer.getAddress().getHostAddress();
            String ipPort = ip + ":" + peer.getPort();
            String bracketed = "[" + ip + "]:" + peer.getPort();
            for (String e : list) {
                if (e.equals(ip) || e.equals(ipPort) || e.equals(bracketed) || e.equals("[" + ip + "]")) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * ServiceChange to the configured MGC (H.248.1 section 11.2), retried by the endpoint; logs the outcome. The
     * method and reason say what survived (H.248.1 7.2.8 and its reason list): Restart 901 Cold Boot (no call state),
     * Restart 902 Warm Boot (contexts restored), or with {@code --takeover} Failover 919 Warm / 920 Cold Failover;
     * then each termination that could not be restored is reported with Forced 904 Termination malfunctioning.
     */
    private void announce(InetSocketAddress mgc, GatewayRestore.Report restored) {
        boolean warm = restored != null && restored.contexts() > 0;
        boolean takeover = config.bool(ConfigKey.STATE_TAKEOVER);
        ServiceChangeDescriptor restart = new ServiceChangeDescriptor(
            takeover ? ServiceChangeMethod.FAILOVER : ServiceChangeMethod.RESTART,
            takeover ? (warm ? "919 Warm Failover" : "920 Cold Failover") : (warm ? "902 Warm Boot" : "901 Cold Boot"),
            null, null, null, null, null);
        ActionRequest action = new ActionRequest(ContextId.NULL, List.of(
            new CommandRequest(CommandType.SERVICE_CHANGE, TerminationId.ROOT, List.of(restart))));
        List<ActionRequest> actions = new ArrayList<>(List.of(action));
        if (restored != null) {
            for (String id : GatewayRestore.sortedIds(restored.failed())) {
                ServiceChangeDescriptor lost = new ServiceChangeDescriptor(ServiceChangeMethod.FORCED,
                    "904 Termination malfunctioning", null, null, null, null, null);
                actions.add(new ActionRequest(ContextId.NULL, List.of(
                    new CommandRequest(CommandType.SERVICE_CHANGE, TerminationId.of(id), List.of(lost)))));
            }
        }
        endpoint.request(mgc, 1, actions).whenComplete((reply, failure) -> {
            if (failure != null) {
                LOG.warn("service change not answered mgc={} cause={}", format(mgc), failure.getMessage());
            } else if (reply.error() != null) {
                LOG.warn("service change refused mgc={} code={} text={}", format(mgc), reply.error().code(),
                    reply.error().text());
            } else {
                LOG.info("registered with mgc={} txn={}", format(mgc), reply.id());
            }
        });
    }

    /** The /contexts document: every context with its terminations, modes, remotes, counters and topology. */
    List<Map<String, Object>> contextsView() {
        List<MediaContext> contexts = new ArrayList<>(plane.contexts());
        contexts.sort(Comparator.comparingInt(MediaContext::id));
        List<Map<String, Object>> out = new ArrayList<>();
        for (MediaContext c : contexts) {
            Map<String, Object> ctx = new LinkedHashMap<>();
            ctx.put("id", c.id());
            List<Map<String, Object>> terms = new ArrayList<>();
            for (Termination t : c.terminations()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", t.id());
                m.put("local", format(t.localRtp()));
                RemoteAddress r = t.remote();
                m.put("remote", r == null ? null : format(r.rtp()));
                m.put("mode", GatewayCommands.h248Mode(t.mode()).token());
                m.put("received", t.counters().received());
                m.put("sent", t.counters().sent());
                Map<String, Long> dropped = new LinkedHashMap<>();
                for (io.hopgate.media.DropReason reason : io.hopgate.media.DropReason.values()) {
                    dropped.put(reason.name().toLowerCase(java.util.Locale.ROOT), t.counters().dropped(reason));
                }
                m.put("dropped", dropped);
                Map<String, Long> counters = new LinkedHashMap<>();
                for (io.hopgate.media.Counter counter : io.hopgate.media.Counter.values()) {
                    counters.put(counter.key(), t.counters().get(counter));
                }
                m.put("counters", counters);
                terms.add(m);
            }
            ctx.put("terminations", terms);
            List<Map<String, String>> topology = new ArrayList<>();
            for (MediaContext.PairTopology triple : c.explicitTopology()) {
                topology.add(Map.of("from", triple.from().id(), "to", triple.to().id(),
                    "topology", triple.topology().name().toLowerCase(java.util.Locale.ROOT)));
            }
            ctx.put("topology", topology);
            out.add(ctx);
        }
        return out;
    }

    private static String format(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The control endpoint (tests read its queue and cache sizes). */
    MegacoEndpoint controlEndpoint() {
        return endpoint;
    }

    public InetSocketAddress controlAddress() {
        return endpoint.address();
    }

    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public MediaPlane plane() {
        return plane;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        if (ng != null) {
            ng.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
        if (admin != null) {
            admin.close();
        }
        closeCallState();
        if (plane != null) {
            plane.close();
        }
        LOG.info("gateway stopped");
    }
}
