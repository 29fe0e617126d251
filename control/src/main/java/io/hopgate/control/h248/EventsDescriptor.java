package io.hopgate.control.h248;

import java.util.List;

/** {@code Events = 2222 { al/of, dd/ce { DigitMap = dialplan0 } }}. */
public record EventsDescriptor(long requestId, List<RequestedEvent> events) implements Descriptor {
    public EventsDescriptor {
        events = List.copyOf(events);
    }

    /** One requested event: package/name and its parameters as generic items. */
    public record RequestedEvent(String name, List<GenericDescriptor> parameters) {
        public RequestedEvent {
            parameters = List.copyOf(parameters);
        }
    }
}
