package io.hopgate.control.h248;

import java.util.List;

/**
 * Context-level items of an action: Topology triples, {@code Priority = n}, {@code Emergency} /
 * {@code EmergencyOff} (true / false / null when absent), and anything else (ContextAudit,
 * IEPSCall, ContextAttr, ...) kept generic in {@code other}.
 */
public record ContextProperties(List<TopologyTriple> topology, Integer priority, Boolean emergency,
        List<GenericDescriptor> other) {
    public static final ContextProperties NONE = new ContextProperties(List.of(), null, null, List.of());

    public ContextProperties {
        topology = List.copyOf(topology);
        other = List.copyOf(other);
    }

    public static ContextProperties topology(List<TopologyTriple> triples) {
        return new ContextProperties(triples, null, null, List.of());
    }

    public boolean isEmpty() {
        return topology.isEmpty() && priority == null && emergency == null && other.isEmpty();
    }
}
