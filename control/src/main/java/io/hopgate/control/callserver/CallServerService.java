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
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hopgate callserver}: binds the H.248 endpoint on {@code callserver.h248.listen}, knows the gateways of
 * {@code callserver.gateways}, and serves the HTTP API on {@code callserver.api.listen}.
 */
public final class CallServerService implements Service {
    private static final Logger LOG = LoggerFactory.getLogger(CallServerService.class);

    private final CallServerSettings settings;
    private MegacoEndpoint endpoint;
    private CallServer calls;
    private CallServerApi api;
    /** Read by the API's loop for channel lookups; set once SIP is up. */
    private volatile io.hopgate.control.sip.SipMobilityServer sip;

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
        calls = new CallServer(clients, settings.handoffTimeoutMs());
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
        if (sip != null) {
            sip.close();
        }
        if (api != null) {
            api.close();
        }
        if (calls != null) {
            calls.close();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }
}
