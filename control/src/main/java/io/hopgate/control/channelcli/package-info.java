/**
 * {@code hopgate channel}: the mobile data channel ({@code io.hopgate.control.channel}) used from a shell, so a user
 * can watch a TCP stream survive an address change (docs/architecture.md section 3.9). The listen role registers a
 * party with the call server's SIP registrar (its contact carries {@code hopgate-channel=PORT}) and prints what
 * arrives; the send role finds the party through the call server's HTTP API and sends its input, line by line.
 *
 * <p>Threads: see each role; neither blocks a channel event loop.
 */
package io.hopgate.control.channelcli;
