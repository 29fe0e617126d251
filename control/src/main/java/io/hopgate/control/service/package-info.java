/**
 * The lifecycle every subcommand implements ({@link io.hopgate.control.service.Service}: start, finished,
 * close). It has its own package below the ones that implement it (gateway, callserver, demo, load, sip) and the
 * root that wires them ({@code Main}, {@code Services}), so the root may import its subpackages without a cycle.
 *
 * <p>Threads: none of its own; see each method.
 */
package io.hopgate.control.service;
