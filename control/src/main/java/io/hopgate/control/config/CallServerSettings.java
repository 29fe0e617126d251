package io.hopgate.control.config;

import java.net.InetSocketAddress;
import java.util.Map;

/** The call server's keys ({@code callserver.*}) as one value; {@code gateways} keeps the listed order. */
public record CallServerSettings(
    InetSocketAddress apiListen,
    InetSocketAddress sipListen,
    InetSocketAddress h248Listen,
    Map<String, InetSocketAddress> gateways,
    long handoffTimeoutMs,
    long h248RetransmitMs,
    int h248Retries) {

    public static CallServerSettings from(Config config) {
        return new CallServerSettings(
            config.socketAddress(ConfigKey.CALLSERVER_API_LISTEN),
            config.optionalSocketAddress(ConfigKey.CALLSERVER_SIP_LISTEN).orElse(null), // null: no SIP
            config.socketAddress(ConfigKey.CALLSERVER_H248_LISTEN),
            config.gateways(),
            config.durationMs(ConfigKey.CALLSERVER_HANDOFF_TIMEOUT_MS),
            config.durationMs(ConfigKey.CALLSERVER_H248_RETRANSMIT_MS),
            config.integer(ConfigKey.CALLSERVER_H248_RETRIES));
    }
}
