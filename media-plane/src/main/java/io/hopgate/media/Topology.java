package io.hopgate.media;

/**
 * Topology of an ordered pair (from, to) of terminations in a context (H.248.1 section 7.1.18).
 * The default for every pair that was never set is {@link #BOTHWAY}.
 */
public enum Topology {
    /** No media either way between the two. */
    ISOLATE,
    /** Media flows only from the first termination of the pair to the second. */
    ONEWAY,
    /** Media flows both ways. */
    BOTHWAY
}
