package io.hopgate.control.channel;

import java.time.Duration;

/**
 * Limits and timers of a {@link MobileChannel} and a {@link MobileListener}. Immutable; the {@code with*}
 * methods return a copy.
 *
 * @param maxMessageBytes    largest message; the frame limit is this plus the DATA header
 * @param maxUnackedMessages messages sent but not yet acknowledged, beyond which {@code send} throws
 * @param maxUnackedBytes    bytes of those messages, beyond which {@code send} throws
 * @param reconnectDeadline  how long a broken channel may take to resume before it fails (both sides)
 * @param backoffMin         first delay between reconnection attempts, doubled up to {@code backoffMax}
 * @param backoffMax         longest delay between reconnection attempts
 * @param connectTimeout     one TCP connect attempt
 * @param handshakeTimeout   from TCP connect to OPENED or RESUMED (and, on the listener, to OPEN or RESUME)
 * @param maxSessions        sessions one listener holds at once
 */
public record ChannelSettings(int maxMessageBytes, int maxUnackedMessages, long maxUnackedBytes,
                              Duration reconnectDeadline, Duration backoffMin, Duration backoffMax,
                              Duration connectTimeout, Duration handshakeTimeout, int maxSessions) {
    public static final ChannelSettings DEFAULTS = new ChannelSettings(64 * 1024, 1024, 1 << 20,
            Duration.ofSeconds(10), Duration.ofMillis(20), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(2), 1024);

    public ChannelSettings {
        require(maxMessageBytes >= 1 && maxMessageBytes <= 16 << 20, "maxMessageBytes", maxMessageBytes);
        require(maxUnackedMessages >= 1, "maxUnackedMessages", maxUnackedMessages);
        require(maxUnackedBytes >= maxMessageBytes, "maxUnackedBytes (at least maxMessageBytes)", maxUnackedBytes);
        require(!reconnectDeadline.isNegative() && !reconnectDeadline.isZero(), "reconnectDeadline", reconnectDeadline);
        require(backoffMin.toMillis() >= 1 && backoffMin.compareTo(backoffMax) <= 0, "backoffMin", backoffMin);
        require(connectTimeout.toMillis() >= 1, "connectTimeout", connectTimeout);
        require(handshakeTimeout.toMillis() >= 1, "handshakeTimeout", handshakeTimeout);
        require(maxSessions >= 1, "maxSessions", maxSessions);
    }

    public ChannelSettings withMaxMessageBytes(int bytes) {
        return new ChannelSettings(bytes, maxUnackedMessages, Math.max(maxUnackedBytes, bytes), reconnectDeadline,
                backoffMin, backoffMax, connectTimeout, handshakeTimeout, maxSessions);
    }

    public ChannelSettings withUnackedLimits(int messages, long bytes) {
        return new ChannelSettings(maxMessageBytes, messages, bytes, reconnectDeadline, backoffMin, backoffMax,
                connectTimeout, handshakeTimeout, maxSessions);
    }

    public ChannelSettings withReconnectDeadline(Duration deadline) {
        return new ChannelSettings(maxMessageBytes, maxUnackedMessages, maxUnackedBytes, deadline, backoffMin,
                backoffMax, connectTimeout, handshakeTimeout, maxSessions);
    }

    public ChannelSettings withMaxSessions(int sessions) {
        return new ChannelSettings(maxMessageBytes, maxUnackedMessages, maxUnackedBytes, reconnectDeadline,
                backoffMin, backoffMax, connectTimeout, handshakeTimeout, sessions);
    }

    /** The largest frame after the length field: a DATA frame carrying the largest message. */
    int maxFrameBytes() {
        return Math.max(Frames.DATA_HEADER_LENGTH + maxMessageBytes, Frames.MIN_FRAME_LIMIT);
    }

    private static void require(boolean ok, String name, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("bad channel setting " + name + "=" + value);
        }
    }
}
