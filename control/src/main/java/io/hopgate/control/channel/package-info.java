/**
 * A name-addressed, reliable message channel over TCP that survives an address change of either party
 * (docs/architecture.md sections 2.6 and 3.9, seed 002: the mobility service re-establishes the data connection to the
 * party's new address and resends what was buffered).
 *
 * <p>The opening side ({@link io.hopgate.control.channel.MobileChannel#open}) asks a
 * {@link io.hopgate.control.channel.Locator} where a name is, connects, and gets a session id and a random
 * 128-bit token from the listening side ({@link io.hopgate.control.channel.MobileListener}). Every message
 * carries a sequence number and stays in a bounded buffer until the peer acknowledges it cumulatively. When
 * the connection breaks or the locator reports a new address, the opening side reconnects (backoff, one
 * deadline) and resumes: session id, token and the last sequence number it received; the listener answers
 * with its own, and each side resends what the other has not got. The wire format is in {@link
 * io.hopgate.control.channel.Frames}.
 *
 * <p>Threads: connections run on the two daemon threads of {@code hopgate-channel} (Netty NIO). A channel's
 * state is guarded by the channel's monitor, because its connection, and so its event loop, changes on every
 * resume; a second lock serialises delivery so that messages reach the application in order across a switch
 * of connection. This is control-plane traffic: no part of the RTP packet path runs here.
 */
package io.hopgate.control.channel;
