package io.hopgate.media;

import java.util.concurrent.CompletableFuture;

/**
 * The RTCP sender counts a termination's egress rewriter puts into the sender reports it forwards (RFC 3550 section
 * 6.4.1: packets and payload octets sent), read and restored on the termination's I/O thread, which owns them: the
 * call state keeps them so that the far end's sender counts continue after a gateway restart (docs/ha.md). Neither
 * call touches the per-packet path; the rewriter adds the restored counts only when it rewrites a sender report.
 *
 * @param packets packets sent (the count a sender report carries)
 * @param octets  payload octets sent
 */
public record SenderCounts(long packets, long octets) {

    /** The termination's sender counts; null while it rewrites nothing (before its first packet, passthrough). */
    public static CompletableFuture<SenderCounts> read(Termination termination) {
        return termination.onOwnLoop(() -> {
            var e = termination.egress;
            return !e.hasSource() || e.passthrough() ? null : new SenderCounts(e.senderPackets(), e.senderOctets());
        });
    }

    /**
     * Makes a restored termination's sender reports continue from {@code counts} (what it had sent before the
     * restart); what it sends from now on is added. Completes once its I/O thread applied it.
     */
    public static CompletableFuture<Void> resume(Termination termination, SenderCounts counts) {
        return termination.onOwnLoop(() -> {
            termination.egress.resumeSenderCounts(counts.packets(), counts.octets());
            return null;
        });
    }
}
