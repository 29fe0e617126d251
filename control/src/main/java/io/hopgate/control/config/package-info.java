/**
 * The daemon's configuration: one option table ({@link io.hopgate.control.config.ConfigKey}) that
 * serves the YAML file and {@code --set key=value} alike (the rtpengine habit), and the immutable
 * {@link io.hopgate.control.config.Config} value built from it.
 *
 * <p>Threads: a {@code Config} is built once on the main thread before any service starts and is
 * immutable afterwards, so any thread may read it without synchronisation. Nothing here is on the
 * packet path; read the values you need into fields at start-up.
 */
package io.hopgate.control.config;
