package io.hopgate.control.config;

import static io.hopgate.control.config.ValueType.bool;
import static io.hopgate.control.config.ValueType.durationMs;
import static io.hopgate.control.config.ValueType.integer;
import static io.hopgate.control.config.ValueType.ipAddress;
import static io.hopgate.control.config.ValueType.listOf;
import static io.hopgate.control.config.ValueType.namedSocketAddress;
import static io.hopgate.control.config.ValueType.oneOf;
import static io.hopgate.control.config.ValueType.socketAddress;
import static io.hopgate.control.config.ValueType.token;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The option table: every configuration key, its rule, its default and a one-line description.
 * The YAML file ({@code media: { port-min: 30000 }}) and {@code --set media.port-min=30000} are two
 * spellings of the same entry, and {@code config/hopgate.yaml} lists every entry (a test keeps the
 * sample and this table equal). To add a key, add a row here and a line to the sample.
 */
public enum ConfigKey {
    GATEWAY_MID("gateway.mid", token(), "",
        "H.248 message identifier (mId) of this gateway; empty = derived from control.listen, e.g. [127.0.0.1]:2944"),

    CONTROL_LISTEN("control.listen", socketAddress(false, 0), "127.0.0.1:2944",
        "UDP address the H.248 text control protocol listens on"),
    CONTROL_ALLOWED_PEERS("control.allowed-peers", listOf(ipAddress()), "",
        "IP addresses allowed to send H.248 commands; empty = allow every peer"),
    CONTROL_MGC("control.mgc", socketAddress(true, 1), "",
        "media gateway controller sent ServiceChange Restart at start-up; empty = none"),
    CONTROL_REPLY_CACHE_MS("control.reply-cache-ms", durationMs(0, 600_000), "30000",
        "how long a transaction's reply is kept to answer a retransmitted request"),
    CONTROL_PENDING_AFTER_MS("control.pending-after-ms", durationMs(0, 60_000), "100",
        "send TransactionPending when a transaction takes longer than this"),
    CONTROL_MAX_MESSAGE_BYTES("control.max-message-bytes", integer(512, 65507), "65507",
        "largest H.248 message accepted or sent, in bytes"),

    NG_LISTEN("ng.listen", socketAddress(true, 0), "",
        "UDP address of rtpengine's ng control protocol (Kamailio/OpenSIPS rtpengine module), e.g. 127.0.0.1:22222;"
            + " empty = off"),
    NG_ALLOWED_PEERS("ng.allowed-peers", listOf(ipAddress()), "",
        "IP addresses allowed to send ng commands; empty = control.allowed-peers applies (empty there = every peer)"),
    NG_DELETE_DELAY_MS("ng.delete-delay-ms", durationMs(0, 3_600_000), "30000",
        "an ng delete without delete-delay frees the call after this long (rtpengine's default, 30 s); 0 = at once"),

    MEDIA_ADDRESS("media.address", ipAddress(), "127.0.0.1",
        "IP address RTP sockets bind to and that is offered in SDP c= lines"),
    MEDIA_PORT_MIN("media.port-min", integer(1024, 65535), "30000",
        "lowest RTP port (even; RTCP uses port+1)"),
    MEDIA_PORT_MAX("media.port-max", integer(1024, 65535), "39999",
        "highest RTP/RTCP port"),
    MEDIA_IO_THREADS("media.io-threads", integer(0, 64), "0",
        "forwarding threads (0 = one per available processor); each owns the contexts it reads"),
    MEDIA_MAX_CONTEXTS("media.max-contexts", integer(1, 1_000_000), "10000",
        "contexts allowed at once; beyond it Add fails with 510 insufficient resources"),
    MEDIA_MAX_TERMINATIONS_PER_CONTEXT("media.max-terminations-per-context", integer(2, 64), "8",
        "terminations allowed in one context"),
    MEDIA_CONTINUITY("media.continuity", oneOf("rewrite", "passthrough"), "rewrite",
        "rewrite = one SSRC and continuous seq/timestamp toward the far end across moves; passthrough = as received"),
    MEDIA_SOCKET_BUFFER_BYTES("media.socket-buffer-bytes", integer(0, 1 << 28), "1048576",
        "SO_RCVBUF/SO_SNDBUF of each RTP socket; 0 = operating system default"),
    MEDIA_LATCH("media.latch", bool(), "false",
        "accept a new source only with the same SSRC and a close sequence number; off = only signalling moves a leg"),
    MEDIA_DUAL_RECEIVE_MS("media.dual-receive-ms", durationMs(0, 60_000), "2000",
        "after a Remote change that asks for dual receive, the old source is accepted until the new one is heard, "
            + "at most this long"),
    MEDIA_MOVE_BUFFER_MS("media.move-buffer-ms", durationMs(0, 10_000), "200",
        "longest time packets are held while a termination moves between contexts"),
    MEDIA_MOVE_BUFFER_PACKETS("media.move-buffer-packets", integer(0, 4096), "64",
        "most packets held per termination while it moves"),
    MEDIA_MOVE_ON_UNREACHABLE("media.move-on-unreachable", bool(), "true",
        "with connect-sockets: hold a leg's packets when its peer is reported unreachable (ICMP) until heard or moved"),
    MEDIA_TRANSPORT("media.transport", oneOf("auto", "io_uring", "epoll", "nio"), "auto",
        "socket layer: auto = epoll, else io_uring, else nio (epoll measured faster); the start-up log says which"),
    MEDIA_CONNECT_SOCKETS("media.connect-sockets", bool(), "true",
        "connect each RTP socket to its remote: about 20% less relay CPU, kernel source filter, ICMP seen"),

    STATE_REDIS("state.redis", token(), "",
        "Redis URI for call state, e.g. redis://127.0.0.1:6379/0; restored at start-up; empty = off (memory only)"),
    STATE_ON_FAILURE("state.on-failure", oneOf("answer", "refuse"), "answer",
        "when call state cannot be written: answer = reply anyway (counted, logged); refuse = reply 510"),
    STATE_TIMEOUT_MS("state.timeout-ms", durationMs(1, 10_000), "200",
        "longest a control command waits for its call state write before the policy applies"),
    STATE_TAKEOVER("state.takeover", bool(), "false",
        "take over the calls of a failed gateway with the same gateway.mid (--takeover): ServiceChange Failover"),

    ADMIN_LISTEN("admin.listen", socketAddress(true, 0), "127.0.0.1:9090",
        "HTTP address for /metrics, /contexts and /health; empty = no admin server"),

    CALLSERVER_API_LISTEN("callserver.api.listen", socketAddress(false, 0), "127.0.0.1:8080",
        "call server: HTTP address for events"),
    CALLSERVER_SIP_LISTEN("callserver.sip.listen", socketAddress(true, 0), "127.0.0.1:5060",
        "call server: SIP UDP address (registrar, calls by name, re-INVITE moves); empty = no SIP"),
    CALLSERVER_H248_LISTEN("callserver.h248.listen", socketAddress(false, 0), "127.0.0.1:2945",
        "call server: its own H.248 UDP address"),
    CALLSERVER_GATEWAYS("callserver.gateways", listOf(namedSocketAddress()), "",
        "call server: gateways it controls, e.g. G1=127.0.0.1:2944,G2=127.0.0.1:2954"),
    CALLSERVER_HANDOFF_TIMEOUT_MS("callserver.handoff-timeout-ms", durationMs(1, 600_000), "5000",
        "call server: a handoff not completed within this is rolled back"),
    CALLSERVER_H248_RETRANSMIT_MS("callserver.h248-retransmit-ms", durationMs(10, 60_000), "200",
        "call server: first H.248 retransmission interval"),
    CALLSERVER_H248_RETRIES("callserver.h248-retries", integer(0, 20), "5",
        "call server: H.248 retransmissions before a transaction fails"),
    CALLSERVER_NAME("callserver.name", token(), "",
        "call server: its name in state.redis keys (hopgate:cs:{name}:); empty = callserver.h248.listen as configured"),

    DEMO_SVG("demo.svg", token(), "hopgate-demo.svg",
        "demo: file the traffic chart (packets per 20 ms per leg, steps marked) is written to"),
    DEMO_PORT_BASE("demo.port-base", integer(1024, 65000), "42000",
        "demo: first RTP port of the demo's gateway G1; gateway i uses 100 ports from port-base + 100 (i - 1)"),
    DEMO_LEG_PORT_BASE("demo.leg-port-base", integer(0, 65000), "0",
        "demo: port of the far party's RTP leg; the mobile's radio leg i uses leg-port-base + i; 0 = ephemeral ports"),

    LOAD_CALLS("load.calls", integer(1, 100_000), "100",
        "load: concurrent calls (two RTP streams each)"),
    LOAD_PPS("load.pps", integer(1, 10_000), "50",
        "load: packets per second per stream (50 = 20 ms ptime)"),
    LOAD_SECONDS("load.seconds", integer(1, 86_400), "10",
        "load: duration of the run in seconds"),
    LOAD_GATEWAY("load.gateway", socketAddress(false, 1), "127.0.0.1:2944",
        "load: H.248 address of the gateway under test"),
    LOAD_PORT_BASE("load.port-base", integer(0, 65535), "0",
        "load: leg j of the generator binds port-base + j (2 legs per call); 0 = ephemeral ports"),

    CHANNEL_ROLE("channel.role", oneOf("listen", "send"), "listen",
        "channel: listen = register channel.aor and print what arrives; send = send stdin's lines to channel.aor"),
    CHANNEL_AOR("channel.aor", token(), "",
        "channel: the party (address of record, e.g. alice@example.com; a bare name gets @hopgate.local)"),
    CHANNEL_LISTEN("channel.listen", socketAddress(false, 0), "127.0.0.1:0",
        "channel listen: TCP address of the data channel (port 0 = any); its host is the contact registered"),
    CHANNEL_SIP_LISTEN("channel.sip-listen", socketAddress(false, 0), "127.0.0.1:0",
        "channel listen: UDP address the REGISTERs are sent from (port 0 = any)"),
    CHANNEL_REGISTRAR("channel.registrar", socketAddress(false, 1), "127.0.0.1:5060",
        "channel listen: the call server's SIP registrar (its callserver.sip.listen)"),
    CHANNEL_EXPIRES_S("channel.expires-s", integer(2, 86_400), "60",
        "channel listen: registration lifetime asked for, in seconds; re-REGISTERed at half of what is granted"),
    CHANNEL_MOVE_EVERY_MS("channel.move-every-ms", durationMs(0, 86_400_000), "0",
        "channel listen: move (re-bind on a new port, re-REGISTER) this often; 0 = never"),
    CHANNEL_MOVE_HOSTS("channel.move-hosts", listOf(ipAddress()), "",
        "channel listen: local addresses the moves go through in turn; empty = the host of channel.listen"),
    CHANNEL_CALLSERVER("channel.callserver", token(), "http://127.0.0.1:8080",
        "channel send: the call server's HTTP API (its callserver.api.listen), asked where channel.aor is"),
    CHANNEL_POLL_MS("channel.poll-ms", durationMs(10, 60_000), "500",
        "channel send: how often the call server is asked whether the party moved"),
    CHANNEL_RECONNECT_DEADLINE_MS("channel.reconnect-deadline-ms", durationMs(100, 3_600_000), "30000",
        "channel: a broken channel that has not resumed within this fails (both roles)"),

    LOG_LEVEL("log.level", oneOf("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF"), "INFO",
        "root log level; overrides the root level of the logback file");

    private static final Map<String, ConfigKey> BY_KEY;

    static {
        Map<String, ConfigKey> byKey = new LinkedHashMap<>();
        for (ConfigKey key : values()) {
            byKey.put(key.key, key);
        }
        BY_KEY = Collections.unmodifiableMap(byKey);
    }

    private final String key;
    private final ValueType type;
    private final String defaultText;
    private final String description;

    ConfigKey(String key, ValueType type, String defaultText, String description) {
        this.key = key;
        this.type = type;
        this.defaultText = defaultText;
        this.description = description;
    }

    /** The dotted name, as written after {@code --set} and as the path in the YAML file. */
    public String key() {
        return key;
    }

    public ValueType type() {
        return type;
    }

    /** The default as text; the empty string means "none", "any" or "derived" as the description says. */
    public String defaultText() {
        return defaultText;
    }

    public String description() {
        return description;
    }

    public static Optional<ConfigKey> byKey(String dottedName) {
        return Optional.ofNullable(BY_KEY.get(dottedName));
    }

    /** Every dotted name in table order. */
    public static java.util.Set<String> keys() {
        return BY_KEY.keySet();
    }

    @Override
    public String toString() {
        return key;
    }
}
