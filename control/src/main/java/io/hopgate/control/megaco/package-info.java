/**
 * H.248 over UDP: one socket that answers requests (MG role, with the reply cache, TransactionPending and
 * TransactionResponseAck) and sends requests of its own (MGC role, and the MG's ServiceChange and Notify) with
 * retransmission and backoff.
 *
 * <p>Threads: datagrams arrive on a Netty event loop, which parses them and answers acks, retransmissions, refusals
 * and malformed messages itself; fresh requests and the client role's replies go through a queue bounded per peer
 * ({@link io.hopgate.control.megaco.ControlQueue}) to the endpoint's single control thread, where they execute one
 * at a time, so handlers need no locking of their own; timers (Pending, retransmission, cache expiry) run on a
 * separate timer thread so a slow command cannot hold them up (docs/architecture.md, section 4).
 */
package io.hopgate.control.megaco;
