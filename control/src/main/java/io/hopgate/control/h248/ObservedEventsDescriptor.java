package io.hopgate.control.h248;

import java.util.Map;
import java.util.List;

/** {@code ObservedEvents = 2222 { 19990729T22000000:al/of { init=false } }} in a Notify. */
public record ObservedEventsDescriptor(long requestId, List<ObservedEvent> events) implements Descriptor {
    public ObservedEventsDescriptor {
        events = List.copyOf(events);
    }

    /**
     * One observed event.
     *
     * @param timestamp  {@code yyyymmddThhmmssss} or null
     * @param name       package/event, e.g. {@code al/of}
     * @param parameters parameter name to value (unquoted; null when named without value)
     */
    public record ObservedEvent(String timestamp, String name, Map<String, String> parameters) {
        public ObservedEvent {
            parameters = Maps.copy(parameters);
        }
    }
}
