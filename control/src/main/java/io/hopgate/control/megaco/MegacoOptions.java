package io.hopgate.control.megaco;

import java.net.InetSocketAddress;
import java.util.function.Predicate;

/**
 * How a {@link MegacoEndpoint} behaves: reply cache, Pending, retransmission, who may send, text form, size bounds.
 *
 * @param replyCacheMs      how long a reply stays cached for retransmitted requests
 * @param pendingAfterMs    a request still running after this long gets a TransactionPending
 * @param retransmitMs      the client role's first retransmission interval (doubles each time, capped at 4 s)
 * @param maxRetransmits    retransmissions before the client role gives up
 * @param pendingWaitMs     how long the client waits after a Pending before retransmitting again
 * @param allowedPeer       which peers may send requests; others get Error 402 and are counted
 * @param compact           write compact (short-token) text instead of pretty
 * @param maxMessageBytes   largest message received or sent ({@code control.max-message-bytes})
 * @param replyCacheEntries replies cached at most (the oldest is evicted first, counted)
 * @param replyCacheBytes   bytes of cached replies at most
 * @param queuePerPeer      messages one peer address may have waiting for the control thread
 * @param queueTotal        messages all peers together may have waiting
 */
public record MegacoOptions(long replyCacheMs, long pendingAfterMs, long retransmitMs, int maxRetransmits,
                            long pendingWaitMs, Predicate<InetSocketAddress> allowedPeer, boolean compact,
                            int maxMessageBytes, int replyCacheEntries, long replyCacheBytes, int queuePerPeer,
                            int queueTotal) {
    /** The largest UDP payload over IPv4: {@code control.max-message-bytes} at most. */
    public static final int MAX_DATAGRAM = 65_507;

    public static MegacoOptions defaults() {
        return new Builder().build();
    }

    /** A builder holding these options, to change some of them by name. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.replyCacheMs = replyCacheMs;
        b.pendingAfterMs = pendingAfterMs;
        b.retransmitMs = retransmitMs;
        b.maxRetransmits = maxRetransmits;
        b.pendingWaitMs = pendingWaitMs;
        b.allowedPeer = allowedPeer;
        b.compact = compact;
        b.maxMessageBytes = maxMessageBytes;
        b.replyCacheEntries = replyCacheEntries;
        b.replyCacheBytes = replyCacheBytes;
        b.queuePerPeer = queuePerPeer;
        b.queueTotal = queueTotal;
        return b;
    }

    public MegacoOptions withAllowedPeer(Predicate<InetSocketAddress> allowed) {
        return toBuilder().allowedPeer(allowed).build();
    }

    public MegacoOptions withRetransmit(long firstMs, int max) {
        return toBuilder().retransmit(firstMs, max).build();
    }

    public MegacoOptions withReplyCacheMs(long ms) {
        return toBuilder().replyCacheMs(ms).build();
    }

    public MegacoOptions withPendingAfterMs(long ms) {
        return toBuilder().pendingAfterMs(ms).build();
    }

    /** {@code control.max-message-bytes}: the largest message received (the receive buffer) and sent. */
    public MegacoOptions withMaxMessageBytes(int bytes) {
        return toBuilder().maxMessageBytes(bytes).build();
    }

    /** Bounds of the reply cache: entries and bytes of cached replies. */
    public MegacoOptions withReplyCacheBounds(int entries, long bytes) {
        return toBuilder().replyCacheBounds(entries, bytes).build();
    }

    /** Bounds of the control queue: messages waiting per peer address and in total. */
    public MegacoOptions withQueueBounds(int perPeer, int total) {
        return toBuilder().queueBounds(perPeer, total).build();
    }

    /** Options by name, starting from the defaults. */
    public static final class Builder {
        private long replyCacheMs = 30_000;
        private long pendingAfterMs = 100;
        private long retransmitMs = 200;
        private int maxRetransmits = 5;
        private long pendingWaitMs = 5_000;
        private Predicate<InetSocketAddress> allowedPeer = peer -> true;
        private boolean compact;
        private int maxMessageBytes = MAX_DATAGRAM;
        private int replyCacheEntries = 100_000;
        private long replyCacheBytes = 256L << 20;
        private int queuePerPeer = 512;
        private int queueTotal = 8192;

        public Builder allowedPeer(Predicate<InetSocketAddress> allowed) {
            this.allowedPeer = allowed;
            return this;
        }

        public Builder retransmit(long firstMs, int max) {
            this.retransmitMs = firstMs;
            this.maxRetransmits = max;
            return this;
        }

        public Builder replyCacheMs(long ms) {
            this.replyCacheMs = ms;
            return this;
        }

        public Builder pendingAfterMs(long ms) {
            this.pendingAfterMs = ms;
            return this;
        }

        public Builder pendingWaitMs(long ms) {
            this.pendingWaitMs = ms;
            return this;
        }

        public Builder compact(boolean on) {
            this.compact = on;
            return this;
        }

        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = Math.min(bytes, MAX_DATAGRAM);
            return this;
        }

        public Builder replyCacheBounds(int entries, long bytes) {
            this.replyCacheEntries = entries;
            this.replyCacheBytes = bytes;
            return this;
        }

        public Builder queueBounds(int perPeer, int total) {
            this.queuePerPeer = perPeer;
            this.queueTotal = total;
            return this;
        }

        public MegacoOptions build() {
            return new MegacoOptions(replyCacheMs, pendingAfterMs, retransmitMs, maxRetransmits, pendingWaitMs,
                allowedPeer, compact, maxMessageBytes, replyCacheEntries, replyCacheBytes, queuePerPeer,
                queueTotal);
        }
    }
}
