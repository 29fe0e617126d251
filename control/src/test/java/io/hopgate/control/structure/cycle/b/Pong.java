package io.hopgate.control.structure.cycle.b;

import io.hopgate.control.structure.cycle.a.Ping;

/** The other half of the deliberate package cycle that {@code PackageCycleTest} must report. */
public final class Pong {
    public Ping next() {
        return new Ping();
    }
}
