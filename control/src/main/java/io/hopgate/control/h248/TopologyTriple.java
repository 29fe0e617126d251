package io.hopgate.control.h248;

import java.util.Objects;

/** One {@code from, to, direction} entry of a context's Topology descriptor (H.248.1 7.1.18). */
public record TopologyTriple(TerminationId from, TerminationId to, TopologyDirection direction) {
    public TopologyTriple {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(direction, "direction");
    }
}
