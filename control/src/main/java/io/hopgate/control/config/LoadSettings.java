package io.hopgate.control.config;

import java.net.InetSocketAddress;

/** The load tool's keys ({@code load.*}); {@code ppsPerStream} is per RTP stream, two streams per call. */
public record LoadSettings(int calls, int ppsPerStream, int seconds, InetSocketAddress gateway) {

    public static LoadSettings from(Config config) {
        return new LoadSettings(
            config.integer(ConfigKey.LOAD_CALLS),
            config.integer(ConfigKey.LOAD_PPS),
            config.integer(ConfigKey.LOAD_SECONDS),
            config.socketAddress(ConfigKey.LOAD_GATEWAY));
    }
}
