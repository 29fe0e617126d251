package io.hopgate.media;

/** Why an arriving datagram was not forwarded. Each reason has its own counter on the termination. */
public enum DropReason {
    /** The termination's mode does not accept packets from outside (SendOnly, Inactive). */
    MODE,
    /** The packet came from an address other than the termination's remote (docs/architecture.md section 5.1). */
    SOURCE,
    /** Not a valid RTP or RTCP packet (short, version != 2, inconsistent lengths). */
    MALFORMED,
    /** Accepted, but no other termination may receive it (topology, modes, or no remote address yet). */
    NO_ROUTE
}
