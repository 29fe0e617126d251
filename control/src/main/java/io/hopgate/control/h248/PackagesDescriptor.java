package io.hopgate.control.h248;

import java.util.Map;

/** {@code Packages { nt-1, rtp-1 }}: package name to version. */
public record PackagesDescriptor(Map<String, Integer> packages) implements Descriptor {
    public PackagesDescriptor {
        packages = Maps.copy(packages);
    }
}
