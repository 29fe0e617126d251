package io.hopgate.control.h248;

import java.util.Map;

/**
 * {@code LocalControl { Mode = SendReceive, ReservedValue = ON, ReservedGroup = OFF, nt/jit=40 }}.
 * Absent fields are null; {@code properties} holds the package properties as written.
 */
public record LocalControlDescriptor(LocalControlMode mode, Boolean reserveValue, Boolean reserveGroup,
        Map<String, String> properties) {
    public LocalControlDescriptor {
        properties = Maps.copy(properties);
    }

    public static LocalControlDescriptor of(LocalControlMode mode) {
        return new LocalControlDescriptor(mode, null, null, Map.of());
    }
}
