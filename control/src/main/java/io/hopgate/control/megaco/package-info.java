/**
 * H.248 over UDP: one socket that answers requests (MG role, with the reply cache, TransactionPending and
 * TransactionResponseAck) and sends requests of its own (MGC role, and the MG's ServiceChange and Notify) with
 * retransmission and backoff.
 *
 * <p>Threads: datagrams arrive on a Netty event loop and are copied off it at once; requests are executed one at a
 * time on the endpoint's single control thread, so handlers need no locking of their own; timers (Pending,
 * retransmission, cache expiry) run on a separate timer thread so a slow command cannot hold them up.
 */
package io.hopgate.control.megaco;
