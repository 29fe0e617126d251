/**
 * The call server: owns calls and drives Hopgate gateways over H.248 through the handoff procedures of
 * docs/architecture.md section 2 (bicast hard handoff inside one gateway, handoff between gateways, handback to the
 * anchor).
 *
 * <p>Threads: every event (HTTP API, handoff timers) runs on the call server's single event thread, so calls and
 * procedures need no locks; that thread blocks on each H.248 transaction, whose replies and retransmissions are
 * handled by the {@link io.hopgate.control.megaco.MegacoEndpoint}'s own threads. The HTTP API runs on its own event
 * loop and only hands events over.
 */
package io.hopgate.control.callserver;
