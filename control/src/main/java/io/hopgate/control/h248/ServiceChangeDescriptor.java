package io.hopgate.control.h248;

import java.util.List;

/**
 * {@code Services { Method = Restart, Reason = "901 Cold Boot", ServiceChangeAddress = 55555,
 * Profile = ResGW/1, Version = 2, Delay = 0, MgcIdToTry = [10.0.0.1]:2944 }} (every field
 * nullable). {@code other} keeps parameters not modelled here (timestamp, extensions, ...).
 */
public record ServiceChangeDescriptor(ServiceChangeMethod method, String reason, String address, String profile,
        Integer version, Integer delay, String mgcIdToTry, List<GenericDescriptor> other) implements Descriptor {
    public ServiceChangeDescriptor {
        other = List.copyOf(other);
    }

    public ServiceChangeDescriptor(ServiceChangeMethod method, String reason, String address, String profile,
            Integer version, Integer delay, String mgcIdToTry) {
        this(method, reason, address, profile, version, delay, mgcIdToTry, List.of());
    }
}
