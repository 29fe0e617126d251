package io.hopgate.control.callserver;

import io.hopgate.control.service.Service;
import io.hopgate.control.config.CallServerSettings;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;
import io.hopgate.control.h248.CommandReply;
import io.hopgate.control.h248.CommandRequest;
import io.hopgate.control.h248.CommandType;
import io.hopgate.control.h248.ErrorCode;
import io.hopgate.control.h248.ErrorDescriptor;
import io.hopgate.control.h248.ActionReply;
import io.hopgate.control.h248.ActionRequest;
import io.hopgate.control.h248.TransactionReply;
import io.hopgate.control.h248.TransactionRequest;
import io.hopgate.control.megaco.MegacoEndpoint;
import io.hopgate.control.megaco.MegacoOptions;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.control.state.RecordReplicator;
import io.hopgate.control.state.RedisRecordStore;
import io.hopgate.control.state.StateStoreException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hopgate callserver}: binds the H.248 endpoint on {@code callserver.h248.listen}, knows the gateways of
 * {@code callserver.gateways}, and serves the HTTP API on {@code callserver.api.listen}. With {@code state.redis} set
 * its calls are written to Redis under {@code hopgate:cs:{callserver.name}:} and restored before the API serves
 * (docs/ha.md, "Call server").
 */
public final class CallServerService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(CallServerService.class);

    private final CallServerSettings settings;
    private MegacoEndpoint endpoint;
    private CallServer calls;
    private CallServerApi api;
    /** Read by the API's loop for channel lookups; set once SIP is up. */
    private volatile io.hopgate.control.sip.SipMobilityServer sip;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private RecordReplicator<CallRecord> replicator;

    public CallServerService(Config config) {
        this.settings = config.callServer();
    }

    @Override
    public void start() {
        if (settings.gateways().isEmpty()) {
            throw new ConfigException("callserver.gateways is empty: name at least one gateway, e.g. "
                + "G1=127.0.0.1:2944");
        }
        MegacoOptions options = MegacoOptions.defaults()
            .withRetransmit(settings.h248RetransmitMs(), settings.h248Retries());
        try {
            endpoint = MegacoEndpoint.bind(settings.h248Listen(), Config.mid(settings.h248Listen()), options,
                CallServerService::onGatewayRequest, null);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind callserver.h248.listen "
                + CallServer.format(settings.h248Listen()) + ": " + e.getMessage(), e);
        }
        // Worst case of the endpoint's own backoff (doubling, capped at 4 s) plus slack: it always answers first.
        long waitMs = 0;
        long interval = settings.h248RetransmitMs();
        for (int i = 0; i <= settings.h248Retries(); i++) {
            waitMs += interval;
            interval = Math.min(interval * 2, 4_000);
        }
        waitMs += 10_000;
        Map<String, GatewayClient> clients = new LinkedHashMap<>();
        for (Map.Entry<String, InetSocketAddress> g : settings.gateways().entrySet()) {
            clients.put(g.getKey(), new GatewayClient(g.getKey(), g.getValue(), endpoint, waitMs));
        }
        replicator = startCallState();
        calls = new CallServer(clients, settings.handoffTimeoutMs(), replicator);
        restoreCalls();
        api = CallServerApi.start(settings.apiListen(), calls, () -> {
            io.hopgate.control.sip.SipMobilityServer s = sip;
            return s == null ? null : s.channelLocator();
        });
        if (settings.sipListen() != null) {
            // SIP mobility (seed 002) anchors its calls on the first gateway named in callserver.gateways.
            InetSocketAddress anchor = settings.gateways().values().iterator().next();
            try {
                sip = io.hopgate.control.sip.SipMobilityServer.start(settings.sipListen(), anchor, endpoint);
            } catch (Exception e) {
                close();
                throw new IllegalStateException("cannot start SIP on callserver.sip.listen "
                    + CallServer.format(settings.sipListen()) + ": " + e.getMessage(), e);
            }
        }
        LOG.info("call server started h248={} api={} sip={} gateways={}", CallServer.format(endpoint.address()),
            CallServer.format(api.address()), settings.sipListen() == null ? "off" : CallServer.format(
                settings.sipListen()), settings.gateways());
    }

    /** The key prefix of this call server's state in Redis (docs/ha.md, "Call server"). */
    public String stateKeyPrefix() {
        return "hopgate:cs:" + settings.name() + ":";
    }

    /** With {@code state.redis} set: the replicator of the calls, else null. */
    private RecordReplicator<CallRecord> startCallState() {
        if (settings.stateRedis().isEmpty()) {
            return null;
        }
        Duration timeout = Duration.ofMillis(settings.stateTimeoutMs());
        RedisRecordStore<CallRecord> store = RedisRecordStore.create(settings.stateRedis(), stateKeyPrefix(), "calls",
            "call", CallRecord.class, CallRecord.sample(), timeout);
        return new RecordReplicator<>(store, timeout, Duration.ofMillis(500), metrics, "call server state",
            "hopgate.callserver.state");
    }

    /** Before the API serves: every call kept in Redis, or none (logged) when Redis cannot be read. */
    private void restoreCalls() {
        if (replicator == null) {
            return;
        }
        Map<String, CallRecord> kept;
        try {
            kept = replicator.store().loadAll();
        } catch (StateStoreException e) {
            LOG.warn("call server state not restored: starting with no calls store={} keys={}* cause={}",
                replicator.store().describe(), stateKeyPrefix(), e.getMessage());
            replicator.storeUnknown("state.redis could not be read at start-up");
            return;
        }
        // first: a restored handoff whose deadline passed is rolled back (and written) at once
        replicator.restored(kept);
        CallServer.Restored restored = calls.restore(kept.values());
        LOG.info("call server state restored store={} keys={}* calls={} handoffs-in-progress={} unreadable={}",
            replicator.store().describe(), stateKeyPrefix(), restored.calls(), restored.handoffs(),
            restored.unreadable());
    }

    /** The call server's own metrics (call state replication), for tests and an embedding process. */
    public MeterRegistry metrics() {
        return metrics;
    }

    /** Gateways may announce themselves with ServiceChange; that is acknowledged, anything else is not served. */
    private static TransactionReply onGatewayRequest(InetSocketAddress peer, int version, TransactionRequest request) {
        List<ActionReply> replies = new ArrayList<>();
        for (ActionRequest action : request.actions()) {
            List<CommandReply> commands = new ArrayList<>();
            for (CommandRequest c : action.commands()) {
                if (c.type() != CommandType.SERVICE_CHANGE) {
                    return TransactionReply.error(request.id(), ErrorDescriptor.of(ErrorCode.NOT_IMPLEMENTED,
                        c.type().token() + " is not served by the call server"));
                }
                LOG.info("service change from gateway peer={} term={}", peer, c.terminationId().text());
                commands.add(new CommandReply(CommandType.SERVICE_CHANGE, c.terminationId(), List.of()));
            }
            replies.add(new ActionReply(action.contextId(), commands));
        }
        return new TransactionReply(request.id(), replies);
    }

    public InetSocketAddress apiAddress() {
        return api.address();
    }

    /** The SIP side, or null when callserver.sip.listen is empty. */
    public io.hopgate.control.sip.SipMobilityServer sipServer() {
        return sip;
    }

    public InetSocketAddress h248Address() {
        return endpoint.address();
    }

    public CallServer calls() {
        return calls;
    }

    @Override
    public void close() {
        closeQuietly("sip", sip);
        closeQuietly("api", api);
        closeQuietly("calls", calls);
        closeQuietly("call state", replicator);
        closeQuietly("h248", endpoint);
    }

    /** Closes one part; one that fails (e.g. an HTTP loop slower than its 5 s to stop) does not keep the rest open. */
    private static void closeQuietly(String part, AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("call server close: {} did not close cleanly cause={}", part, e.toString());
        }
    }
}
