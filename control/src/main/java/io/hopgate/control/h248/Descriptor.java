package io.hopgate.control.h248;

/** A descriptor inside a command request or reply (H.248.1 7.1). */
public sealed interface Descriptor
        permits MediaDescriptor, StatisticsDescriptor, ErrorDescriptor, AuditDescriptor, ServiceChangeDescriptor,
        EventsDescriptor, ObservedEventsDescriptor, PackagesDescriptor, GenericDescriptor {
}
