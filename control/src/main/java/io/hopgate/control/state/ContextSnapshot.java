package io.hopgate.control.state;

import java.util.List;
import java.util.Map;

/**
 * One context as the call state store keeps it: what a restarted gateway needs to re-create it with the same ids,
 * ports, remotes, modes and topology. Plain values only (no H.248, no media-plane objects), so any front end can
 * record and restore it; two snapshots of an unchanged context are equal, which lets the recorder skip the write.
 *
 * @param id           the context id
 * @param terminations its terminations in the order they were added
 * @param topology     the explicit (non-default) topology of its ordered pairs
 */
public record ContextSnapshot(int id, List<TerminationSnapshot> terminations, List<TopologyEntry> topology) {

    public ContextSnapshot {
        terminations = List.copyOf(terminations);
        topology = List.copyOf(topology);
    }

    /**
     * One termination.
     *
     * @param id               its name, e.g. {@code rtp/17}
     * @param index            the media plane's number for it (the egress rewriters' source id)
     * @param rtpPort          the local RTP port (RTCP is the next one)
     * @param remote           the peer's RTP address as {@code ip:port} ({@code [v6]:port}), or null while unknown
     * @param mode             the stream mode, a {@code io.hopgate.media.StreamMode} name
     * @param moving           true while its packets are held for a move
     * @param clockRate        payload clock rate in Hz
     * @param previousRemote   the address still accepted after the last move (dual receive), or null
     * @param previousUntilMs  wall-clock end (epoch ms) of that dual-receive window
     * @param egress           egress continuity, or null when it has sent nothing (or it was not read yet)
     * @param attributes       what the front end keeps beside the media (e.g. H.248 Local and Remote SDP)
     */
    public record TerminationSnapshot(String id, int index, int rtpPort, String remote, String mode, boolean moving,
                                      int clockRate, String previousRemote, long previousUntilMs, Egress egress,
                                      Map<String, String> attributes) {
        public TerminationSnapshot {
            attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
        }

        public TerminationSnapshot withEgress(Egress newEgress) {
            return new TerminationSnapshot(id, index, rtpPort, remote, mode, moving, clockRate, previousRemote,
                previousUntilMs, newEgress, attributes);
        }
    }

    /** Egress continuity of a termination (see {@code io.hopgate.media.EgressState}). */
    public record Egress(int sourceIndex, int sourceSsrc, int outputSsrc, int sequenceOffset, int timestampOffset,
                         int lastSequence, int lastTimestamp) {
    }

    /** The topology of one ordered pair: {@code isolate}, {@code oneway} or {@code bothway}. */
    public record TopologyEntry(String from, String to, String topology) {
    }

    /** This snapshot without the named terminations (they could not be restored) and their topology. */
    public ContextSnapshot without(java.util.Set<String> terminationIds) {
        return new ContextSnapshot(id,
            terminations.stream().filter(t -> !terminationIds.contains(t.id())).toList(),
            topology.stream().filter(e -> !terminationIds.contains(e.from()) && !terminationIds.contains(e.to()))
                .toList());
    }
}
