package io.hopgate.media;

/**
 * What a termination carried: returned by Subtract and by audits. Packets and octets are RTP and RTCP together;
 * {@code lost} and {@code jitter} come from the RTP received from the outside peer (RFC 3550 A.3 and A.8, jitter in
 * timestamp units of the payload clock). The mobility counts: times the peer was reported unreachable, times
 * latching moved the remote, and held packets flushed to a new address or dropped (buffer full, too old).
 */
public record TerminationStatistics(long packetsReceived, long octetsReceived, long packetsSent, long octetsSent,
                                    long lost, long jitter, long droppedMode, long droppedSource,
                                    long droppedMalformed, long droppedNoRoute, long droppedDuplicate,
                                    long droppedSendFailed, long unreachable, long latched,
                                    long moveFlushed, long moveOverflow, long moveStale) {

    public long dropped(DropReason reason) {
        return switch (reason) {
            case MODE -> droppedMode;
            case SOURCE -> droppedSource;
            case MALFORMED -> droppedMalformed;
            case NO_ROUTE -> droppedNoRoute;
            case DUPLICATE -> droppedDuplicate;
            case SEND_FAILED -> droppedSendFailed;
        };
    }
}
