/**
 * rtpengine's ng control protocol in the gateway daemon, so that a SIP proxy's {@code rtpengine} module (Kamailio,
 * OpenSIPS) drives Hopgate: the bencode codec ({@link io.hopgate.control.ng.Bencode}), the UDP endpoint with its
 * cookie reply cache ({@link io.hopgate.control.ng.NgEndpoint}), the commands ({@link
 * io.hopgate.control.ng.NgCommands})
 * mapping a call onto one media-plane context with one termination per party and media section, and the SDP rewrite
 * ({@link io.hopgate.control.ng.NgSdp}). See docs/architecture.md for the context and termination model.
 *
 * <p>Threads: datagrams are read on one receiver thread and every command (and every delayed delete) runs on one
 * command thread, so call state needs no locks; the media plane serialises its own commands.
 */
package io.hopgate.control.ng;
