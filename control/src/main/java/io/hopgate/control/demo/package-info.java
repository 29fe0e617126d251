/**
 * {@code hopgate demo}: a call server, three in-process gateways and RTP endpoints on loopback, one call driven
 * through every handoff procedure, with a timeline and an SVG of the traffic. The RTP endpoints and the
 * {@link io.hopgate.control.demo.Harness} are also what the call server's end-to-end tests drive.
 *
 * <p>Threads: each {@link io.hopgate.control.demo.RtpEndpoint} has one receive thread; {@link
 * io.hopgate.control.demo.Traffic} has one pacing thread; the script runs on the caller's thread.
 */
package io.hopgate.control.demo;
