package io.hopgate.control.h248;

import java.util.List;

/**
 * {@code Media { [TerminationState {..},] Stream = 1 {..}, ... }}. The single-stream form without
 * {@code Stream} (LocalControl/Local/Remote directly in Media) is read as stream 1. {@code other}
 * keeps Media items not modelled here (e.g. Mux).
 */
public record MediaDescriptor(TerminationStateDescriptor terminationState, List<StreamDescriptor> streams,
        List<GenericDescriptor> other) implements Descriptor {
    public MediaDescriptor {
        streams = List.copyOf(streams);
        other = List.copyOf(other);
    }

    public MediaDescriptor(TerminationStateDescriptor terminationState, List<StreamDescriptor> streams) {
        this(terminationState, streams, List.of());
    }

    /** The stream with {@code id}, or null. */
    public StreamDescriptor stream(int id) {
        for (StreamDescriptor s : streams) {
            if (s.id() == id) {
                return s;
            }
        }
        return null;
    }
}
