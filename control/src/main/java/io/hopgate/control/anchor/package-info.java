/**
 * Media anchoring of a two-party session on one gateway, as offer/answer: the offer opens a context with one
 * termination per party, each party's SDP becomes its termination's Remote, and each party is given the SDP of the
 * other with the gateway's address and port facing it in place of the other's own (docs/architecture.md section
 * 2.6). A move is a new Remote for one party's termination; the SDP given to the parties does not change.
 *
 * <p>It knows SDP ({@link io.hopgate.rtp.sdp.SessionDescription}) and the H.248 client
 * ({@link io.hopgate.control.mgc.GatewayClient}), and no signalling stack: the SIP B2BUA ({@code sip}) uses it,
 * and a front end for another protocol (rtpengine's ng) can reuse it as it is.
 *
 * <p>Threads: {@link io.hopgate.control.anchor.SdpAnchor} holds no state of its own and may be called from any
 * thread; its futures complete on the H.248 reply thread, so a caller that owns its state continues with
 * {@code whenCompleteAsync(..., itsExecutor)}.
 */
package io.hopgate.control.anchor;
