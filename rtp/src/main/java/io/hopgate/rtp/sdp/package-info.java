/**
 * SDP (RFC 4566 subset) as H.248 carries it in Local and Remote descriptors: an immutable
 * {@link io.hopgate.rtp.sdp.SessionDescription} parsed from and formatted to text, including the H.248 {@code $}
 * wildcard ("the gateway chooses") for the connection address and the media port.
 *
 * <p>Threading: immutable values, safe to share between threads. Used by the control layer, never on the
 * packet path, so it may allocate freely. Parsing untrusted text fails only with
 * {@link io.hopgate.rtp.sdp.SdpException}, which names the line.
 */
package io.hopgate.rtp.sdp;
