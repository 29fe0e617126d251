package io.hopgate.control.channelcli;

import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;
import io.hopgate.control.config.ConfigKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code channel.*} keys of one {@code hopgate channel} run, checked across keys: a problem is a
 * {@link ConfigException} naming the key (exit 2).
 *
 * @param listen       the data channel's TCP address (listen role); its host is the registered contact's
 * @param moveHosts    the hosts the listener moves through in turn; never empty (the listen host by default)
 * @param callServer   the call server's HTTP API (send role)
 */
record ChannelOptions(String role, String aor, InetSocketAddress listen, InetSocketAddress sipListen,
                      InetSocketAddress registrar, int expiresS, Duration moveEvery, List<InetAddress> moveHosts,
                      URI callServer, Duration poll, Duration reconnectDeadline) {
    static final String LISTEN = "listen";
    static final String SEND = "send";
    /** The domain of an AOR given as a bare name ({@code alice}). */
    static final String DEFAULT_DOMAIN = "hopgate.local";
    /** A REGISTER or an HTTP lookup that takes longer than this has failed. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    static ChannelOptions from(Config config) {
        String role = config.string(ConfigKey.CHANNEL_ROLE);
        String aor = aor(config.string(ConfigKey.CHANNEL_AOR), role);
        InetSocketAddress listen = config.socketAddress(ConfigKey.CHANNEL_LISTEN);
        if (LISTEN.equals(role) && listen.getAddress().isAnyLocalAddress()) {
            throw new ConfigException(ConfigKey.CHANNEL_LISTEN + "=" + config.text(ConfigKey.CHANNEL_LISTEN)
                + ": must be one address of this host, not the wildcard: its host is the contact the registrar "
                + "hands out to senders");
        }
        List<InetAddress> moveHosts = new ArrayList<>();
        for (String host : config.list(ConfigKey.CHANNEL_MOVE_HOSTS)) {
            moveHosts.add(literal(host));
        }
        if (moveHosts.stream().anyMatch(InetAddress::isAnyLocalAddress)) {
            throw new ConfigException(ConfigKey.CHANNEL_MOVE_HOSTS + "=" + config.text(ConfigKey.CHANNEL_MOVE_HOSTS)
                + ": the wildcard cannot be a registered contact; name addresses of this host");
        }
        if (moveHosts.isEmpty()) {
            moveHosts.add(listen.getAddress());
        }
        return new ChannelOptions(role, aor, listen, config.socketAddress(ConfigKey.CHANNEL_SIP_LISTEN),
            config.socketAddress(ConfigKey.CHANNEL_REGISTRAR), config.integer(ConfigKey.CHANNEL_EXPIRES_S),
            config.duration(ConfigKey.CHANNEL_MOVE_EVERY_MS), List.copyOf(moveHosts),
            callServer(config.string(ConfigKey.CHANNEL_CALLSERVER)), config.duration(ConfigKey.CHANNEL_POLL_MS),
            config.duration(ConfigKey.CHANNEL_RECONNECT_DEADLINE_MS));
    }

    /** {@code alice} is {@code alice@hopgate.local}; the registrar keeps the domain in lower case. */
    private static String aor(String text, String role) {
        if (text.isEmpty()) {
            throw new ConfigException(ConfigKey.CHANNEL_AOR + " is empty: name the party, e.g. hopgate channel "
                + role + " alice@example.com");
        }
        String aor = text.startsWith("sip:") ? text.substring(4) : text;
        if (!aor.contains("@")) {
            aor = aor + "@" + DEFAULT_DOMAIN;
        }
        int at = aor.indexOf('@');
        String user = aor.substring(0, at);
        String domain = aor.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
        if (user.isEmpty() || domain.isEmpty() || domain.contains("@") || !user.matches("[A-Za-z0-9._~!$&'()*+,;=-]+")
            || !domain.matches("[a-z0-9.-]+")) {
            throw new ConfigException(ConfigKey.CHANNEL_AOR + "=" + text + ": must be user@domain (letters, digits, "
                + "'.', '-', '_'), e.g. alice@example.com");
        }
        return user + "@" + domain;
    }

    private static URI callServer(String text) {
        try {
            URI uri = new URI(text);
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() == 0) {
                throw new URISyntaxException(text, "must be http://host:port");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(ConfigKey.CHANNEL_CALLSERVER + "=" + text + ": must be the call server's HTTP "
                + "API as http://host:port (its callserver.api.listen), e.g. http://127.0.0.1:8080");
        }
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // already checked to be an IP literal: no name service is asked
        } catch (UnknownHostException e) {
            throw new ConfigException(ConfigKey.CHANNEL_MOVE_HOSTS + ": " + ip + " is not an IP address");
        }
    }
}
