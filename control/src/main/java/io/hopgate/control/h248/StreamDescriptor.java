package io.hopgate.control.h248;

import java.util.List;

/**
 * {@code Stream = id { LocalControl {..}, Local {sdp}, Remote {sdp} }}. SDP bodies are kept as text
 * with {@code \n} line ends, each line trimmed, blank lines dropped; null when absent.
 * {@code other} keeps stream parameters not modelled here (e.g. a v2 Statistics in a stream).
 */
public record StreamDescriptor(int id, LocalControlDescriptor localControl, String localSdp, String remoteSdp,
        List<GenericDescriptor> other) {
    public StreamDescriptor {
        if (id < 0 || id > 0xFFFF) {
            throw new IllegalArgumentException("stream id " + id + " out of range 0..65535");
        }
        other = List.copyOf(other);
    }

    public StreamDescriptor(int id, LocalControlDescriptor localControl, String localSdp, String remoteSdp) {
        this(id, localControl, localSdp, remoteSdp, List.of());
    }
}
