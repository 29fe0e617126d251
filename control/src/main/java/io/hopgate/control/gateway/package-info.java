/**
 * The gateway (MG) side of H.248: maps Add, Modify, Subtract, Move, AuditValue, AuditCapability and ServiceChange
 * onto the media plane's command API, fills Local SDP, turns media-plane errors into H.248 error codes, and runs the
 * daemon ({@code hopgate gateway}) with its admin endpoint and metrics.
 *
 * <p>Threads: commands run on the H.248 endpoint's single control thread; the admin endpoint reads snapshots.
 */
package io.hopgate.control.gateway;
