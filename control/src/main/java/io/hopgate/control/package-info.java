/**
 * The daemon's entry point: {@link io.hopgate.control.Main} (the picocli command line), the
 * {@link io.hopgate.control.service.Service} seam (its own package, so the
 * subpackages that implement it do not depend on this one) each subcommand implements, and the
 * {@link io.hopgate.control.Services} registry that maps a subcommand to its factory.
 *
 * <p>Threads: the main thread parses arguments, loads the config, starts the service and then
 * waits; the JVM shutdown hook thread closes the service. Subpackages hold the H.248 layer, the
 * gateway, the call server, configuration ({@code config}) and the admin HTTP server ({@code admin}).
 */
package io.hopgate.control;
