/**
 * The RTP load tool: {@link io.hopgate.control.load.LoadGenerator} sets up N calls through a pluggable
 * {@link io.hopgate.control.load.CallSetup} (in-process media plane today, H.248 later), sends paced G.711-sized RTP
 * on both legs of every call, checks that each leg receives exactly its peer's packets, and reports loss,
 * duplicates, misrouting and one-way latency ({@link io.hopgate.control.load.LoadReport}).
 *
 * <p>Threads: one sender thread owns the payload buffer and per-stream send state; one receiver thread owns the
 * {@link java.nio.channels.Selector}, the receive buffer, the per-stream arrival bitmaps and the latency histogram;
 * the calling thread sets up, prints one progress line per second from counters published with release stores,
 * and builds the report after joining both. Neither packet thread allocates per packet.
 */
package io.hopgate.control.load;
