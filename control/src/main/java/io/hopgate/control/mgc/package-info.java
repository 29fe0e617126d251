/**
 * The controller's (MGC's) H.248 client toward Hopgate gateways: {@link io.hopgate.control.mgc.GatewayClient}
 * builds transactions with the shared codec and sends them through a
 * {@link io.hopgate.control.megaco.MegacoEndpoint}; {@link io.hopgate.control.mgc.GatewayException} carries an
 * Error descriptor's code and text. It sits below both users, the call server ({@code callserver}) and the SIP
 * mobility side ({@code sip}), so neither depends on the other.
 *
 * <p>Threads: blocking calls are made on the caller's event thread; {@code *Async} calls complete on the
 * endpoint's reply thread.
 */
package io.hopgate.control.mgc;
