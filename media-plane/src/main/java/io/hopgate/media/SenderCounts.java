package io.hopgate.media;

/**
 * The RTCP sender counts a termination's egress rewriter puts into the sender reports it forwards (RFC 3550 section
 * 6.4.1: packets and payload octets sent), part of {@link EgressState}: read with the rest of the egress state on
 * the termination's I/O thread, and given back with it to {@link MediaPlane#restore}, so that the far end's sender
 * counts continue after a gateway restart (docs/ha.md). The rewriter adds restored counts only when it rewrites a
 * sender report.
 *
 * @param packets packets sent (the count a sender report carries)
 * @param octets  payload octets sent
 */
public record SenderCounts(long packets, long octets) {
}
