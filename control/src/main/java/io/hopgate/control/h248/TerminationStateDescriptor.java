package io.hopgate.control.h248;

import java.util.Map;

/**
 * {@code TerminationState { ServiceStates = InService, Buffer = OFF, pkg/prop=value }}.
 *
 * @param eventBufferControl {@code Off} or {@code LockStep} (canonical), or null
 */
public record TerminationStateDescriptor(ServiceState serviceState, String eventBufferControl,
        Map<String, String> properties) {
    public TerminationStateDescriptor {
        properties = Maps.copy(properties);
    }
}
