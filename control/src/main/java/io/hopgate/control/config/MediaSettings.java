package io.hopgate.control.config;

/** The media plane's keys ({@code media.*}) as one value. */
public record MediaSettings(
    String address,
    int portMin,
    int portMax,
    int ioThreads,
    int maxContexts,
    int maxTerminationsPerContext,
    String continuity,
    int socketBufferBytes,
    boolean latch,
    long dualReceiveMs,
    long moveBufferMs,
    int moveBufferPackets,
    boolean moveOnUnreachable,
    boolean connectSockets,
    String transport) {

    /** {@code media.io-threads}: 0 means one loop per processor this process may run on (its CPU affinity). */
    static int ioThreads(int configured) {
        return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    public static MediaSettings from(Config config) {
        return new MediaSettings(
            config.string(ConfigKey.MEDIA_ADDRESS),
            config.integer(ConfigKey.MEDIA_PORT_MIN),
            config.integer(ConfigKey.MEDIA_PORT_MAX),
            ioThreads(config.integer(ConfigKey.MEDIA_IO_THREADS)),
            config.integer(ConfigKey.MEDIA_MAX_CONTEXTS),
            config.integer(ConfigKey.MEDIA_MAX_TERMINATIONS_PER_CONTEXT),
            config.string(ConfigKey.MEDIA_CONTINUITY),
            config.integer(ConfigKey.MEDIA_SOCKET_BUFFER_BYTES),
            config.bool(ConfigKey.MEDIA_LATCH),
            config.durationMs(ConfigKey.MEDIA_DUAL_RECEIVE_MS),
            config.durationMs(ConfigKey.MEDIA_MOVE_BUFFER_MS),
            config.integer(ConfigKey.MEDIA_MOVE_BUFFER_PACKETS),
            config.bool(ConfigKey.MEDIA_MOVE_ON_UNREACHABLE),
            config.bool(ConfigKey.MEDIA_CONNECT_SOCKETS),
            config.string(ConfigKey.MEDIA_TRANSPORT));
    }

    /** {@code media.continuity=rewrite}: one SSRC and continuous numbering toward the far end. */
    public boolean rewritesContinuity() {
        return "rewrite".equals(continuity);
    }
}
