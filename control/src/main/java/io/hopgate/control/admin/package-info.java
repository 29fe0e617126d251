/**
 * The admin HTTP edge ({@code admin.listen}): {@code /metrics} in Prometheus text format,
 * {@code /contexts} as JSON and {@code /health}.
 *
 * <p>Threads: one Reactor Netty event-loop thread named {@code hopgate-admin} accepts and answers;
 * the metrics scrape and the contexts supplier run on Reactor's bounded-elastic scheduler, so a
 * slow supplier (for example one that asks the media plane through its command queue and waits)
 * never stalls the event loop. Nothing here touches the packet path.
 */
package io.hopgate.control.admin;
