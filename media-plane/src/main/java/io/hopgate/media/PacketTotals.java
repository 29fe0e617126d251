package io.hopgate.media;

/**
 * Packet counts over the media plane's whole life (live terminations plus those already subtracted), for metrics.
 */
public record PacketTotals(long received, long receivedOctets, long sent, long sentOctets, long droppedMode,
                           long droppedSource, long droppedMalformed, long droppedNoRoute, long droppedDuplicate,
                           long droppedSendFailed, long unreachable,
                           long latched, long moveFlushed, long moveOverflow, long moveStale) {
    static final PacketTotals ZERO = new PacketTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    PacketTotals plus(TerminationStatistics s) {
        return new PacketTotals(received + s.packetsReceived(), receivedOctets + s.octetsReceived(),
            sent + s.packetsSent(), sentOctets + s.octetsSent(), droppedMode + s.droppedMode(),
            droppedSource + s.droppedSource(), droppedMalformed + s.droppedMalformed(),
            droppedNoRoute + s.droppedNoRoute(), droppedDuplicate + s.droppedDuplicate(),
            droppedSendFailed + s.droppedSendFailed(), unreachable + s.unreachable(), latched + s.latched(),
            moveFlushed + s.moveFlushed(), moveOverflow + s.moveOverflow(), moveStale + s.moveStale());
    }

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
