package io.hopgate.control.ng;

import io.hopgate.media.Termination;

import java.util.Map;

/** A termination a restarted gateway restored, with the ng attributes it was stored with (docs/ha.md). */
public record NgLeg(Termination termination, Map<String, String> attributes) {
    public NgLeg {
        attributes = Map.copyOf(attributes);
    }
}
