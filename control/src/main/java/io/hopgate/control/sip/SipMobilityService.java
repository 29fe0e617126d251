package io.hopgate.control.sip;

import io.hopgate.control.service.Service;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The SIP mobility server as a daemon {@link Service}: SIP on {@code callserver.sip.listen}, calls anchored on
 * the gateway named first in {@code callserver.gateways} (or on the one given to the constructor).
 * Not yet wired into {@code Services}; a subcommand can build it from a validated config.
 */
public final class SipMobilityService implements Service {
    private final InetSocketAddress sipListen;
    private final InetSocketAddress gateway;
    private volatile SipMobilityServer server;

    public SipMobilityService(Config config) {
        this(config, firstGateway(config));
    }

    public SipMobilityService(Config config, InetSocketAddress gatewayControl) {
        this.sipListen = config.callServer().sipListen();
        if (sipListen == null) {
            throw new ConfigException("callserver.sip.listen is empty: SIP mobility needs an address to listen on");
        }
        this.gateway = gatewayControl;
    }

    private static InetSocketAddress firstGateway(Config config) {
        Map<String, InetSocketAddress> gateways = config.callServer().gateways();
        if (gateways.isEmpty()) {
            throw new ConfigException("callserver.gateways is empty: the SIP mobility server needs one gateway to "
                + "anchor media on (e.g. callserver.gateways=G1=127.0.0.1:2944)");
        }
        return gateways.values().iterator().next();
    }

    @Override
    public void start() throws Exception {
        server = SipMobilityServer.start(sipListen, gateway);
    }

    /** The running server (null before {@link #start()}). */
    public SipMobilityServer server() {
        return server;
    }

    @Override
    public void close() {
        SipMobilityServer s = server;
        if (s != null) {
            s.close();
        }
    }
}
