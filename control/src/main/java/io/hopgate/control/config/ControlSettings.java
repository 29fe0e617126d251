package io.hopgate.control.config;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/** The gateway's H.248 control keys ({@code gateway.*}, {@code control.*}) as one value. */
public record ControlSettings(
    String mid,
    InetSocketAddress listen,
    List<String> allowedPeers,
    Optional<InetSocketAddress> mgc,
    long replyCacheMs,
    long pendingAfterMs,
    int maxMessageBytes) {

    public static ControlSettings from(Config config) {
        return new ControlSettings(
            config.gatewayMid(),
            config.socketAddress(ConfigKey.CONTROL_LISTEN),
            config.list(ConfigKey.CONTROL_ALLOWED_PEERS),
            config.optionalSocketAddress(ConfigKey.CONTROL_MGC),
            config.durationMs(ConfigKey.CONTROL_REPLY_CACHE_MS),
            config.durationMs(ConfigKey.CONTROL_PENDING_AFTER_MS),
            config.integer(ConfigKey.CONTROL_MAX_MESSAGE_BYTES));
    }

    /** Empty {@code control.allowed-peers} allows every peer. */
    public boolean allowsAnyPeer() {
        return allowedPeers.isEmpty();
    }
}
