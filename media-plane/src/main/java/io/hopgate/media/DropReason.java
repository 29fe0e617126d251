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
    NO_ROUTE,
    /**
     * Already sent: the same RTP packet (SSRC, sequence number) came on another leg, or an older one from another leg
     * would go out after a newer one (the two legs of a handoff switch, see {@link EgressDedupe}).
     */
    DUPLICATE,
    /**
     * Forwarded, but the socket refused to send it (e.g. a broadcast or unroutable address, an ICMP error reported
     * on the connected socket): counted on the termination it was to leave from, and not as sent.
     */
    SEND_FAILED
}
