package io.hopgate.control.structure.cycle.a;

import io.hopgate.control.structure.cycle.b.Pong;

/** Half of a deliberate package cycle that {@code PackageCycleTest} must report. */
public final class Ping {
    public Pong next() {
        return new Pong();
    }
}
