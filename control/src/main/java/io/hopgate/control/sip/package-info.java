/**
 * The SIP side of transparent mobility (docs/architecture.md section 2.6, seed 002): a registrar that maps addresses
 * of record
 * ({@code bob@example.com}) to contacts, and a media-anchoring back-to-back user agent that puts every call
 * through one gateway context (one RTP termination per party, set up over H.248) so that a party that moves
 * only re-INVITEs the server, which re-points that party's termination; the other party sees nothing.
 *
 * <p>SIP transactions and dialogs come from the JAIN-SIP reference implementation. Its listener threads only
 * hand events over: every piece of call and registration state is owned by the one {@code sip-control}
 * thread of {@link io.hopgate.control.sip.SipMobilityServer}, and H.248 replies are applied on that thread too.
 */
package io.hopgate.control.sip;
