package io.hopgate.media;

/**
 * What a termination's egress rewriter needs to continue the far end's stream after a gateway restart: the source
 * feeding it (by termination index and SSRC), the SSRC the far end sees, the offsets and the last packet sent.
 *
 * @param sourceIndex     {@link Termination#index()} of the ingress termination feeding it
 * @param sourceSsrc      that source's SSRC as received
 * @param outputSsrc      the SSRC the far end sees
 * @param sequenceOffset  added (mod 2^16) to the source's sequence numbers
 * @param timestampOffset added (mod 2^32) to the source's timestamps
 * @param lastSequence    sequence number of the newest packet sent
 * @param lastTimestamp   timestamp of the newest packet sent
 * @param sourceChanges   source switches so far (a change of it means the offsets changed)
 * @param sent            the RTCP sender counts its sender reports carry; null when not known (a restore without
 *                        kept counts)
 */
public record EgressState(int sourceIndex, int sourceSsrc, int outputSsrc, int sequenceOffset, int timestampOffset,
                          int lastSequence, int lastTimestamp, int sourceChanges, SenderCounts sent) {
}
