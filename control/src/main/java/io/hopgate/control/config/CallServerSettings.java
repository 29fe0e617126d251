package io.hopgate.control.config;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The call server's keys ({@code callserver.*}) as one value; {@code gateways} keeps the listed order.
 * {@code stateRedis} ({@code state.redis}, empty = off) and {@code stateTimeoutMs} ({@code state.timeout-ms}) are the
 * keys the gateway uses for its own call state; {@code name} ({@code callserver.name}, or else
 * {@code callserver.h248.listen} as configured) names the call server's keys there (docs/ha.md, "Call server").
 */
public record CallServerSettings(
    InetSocketAddress apiListen,
    InetSocketAddress sipListen,
    InetSocketAddress h248Listen,
    Map<String, InetSocketAddress> gateways,
    long handoffTimeoutMs,
    long h248RetransmitMs,
    int h248Retries,
    String name,
    String stateRedis,
    long stateTimeoutMs) {

    public static CallServerSettings from(Config config) {
        String name = config.string(ConfigKey.CALLSERVER_NAME);
        return new CallServerSettings(
            config.socketAddress(ConfigKey.CALLSERVER_API_LISTEN),
            config.optionalSocketAddress(ConfigKey.CALLSERVER_SIP_LISTEN).orElse(null), // null: no SIP
            config.socketAddress(ConfigKey.CALLSERVER_H248_LISTEN),
            config.gateways(),
            config.durationMs(ConfigKey.CALLSERVER_HANDOFF_TIMEOUT_MS),
            config.durationMs(ConfigKey.CALLSERVER_H248_RETRANSMIT_MS),
            config.integer(ConfigKey.CALLSERVER_H248_RETRIES),
            name.isEmpty() ? config.text(ConfigKey.CALLSERVER_H248_LISTEN) : name,
            config.string(ConfigKey.STATE_REDIS),
            config.durationMs(ConfigKey.STATE_TIMEOUT_MS));
    }
}
