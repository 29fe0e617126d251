/**
 * The media plane: terminations (RTP/RTCP socket pairs), contexts, topology, and the forwarding engine.
 *
 * <p>Threads: control threads call {@link io.hopgate.media.MediaPlane}'s command API (serialised by its lock) and
 * publish every change with release stores. Each context is owned by one I/O thread (a Netty epoll event loop) that
 * forwards its packets without locks, allocation in Hopgate code, or logging. Knows nothing of H.248.
 */
package io.hopgate.media;
