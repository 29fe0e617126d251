/**
 * RTP and RTCP wire codecs (RFC 3550) as flyweights over Agrona buffers, plus the per-stream state the
 * forwarding path keeps: sequence extension, reception statistics and egress continuity rewriting.
 *
 * <p>Threading: nothing here starts or synchronises threads. The flyweights ({@link io.hopgate.rtp.RtpHeader},
 * {@link io.hopgate.rtp.RtcpHeader}) and the stateful trackers ({@link io.hopgate.rtp.ExtendedSequence},
 * {@link io.hopgate.rtp.ReceptionStatistics}, {@link io.hopgate.rtp.EgressRewriter}) are each owned by the one
 * media-plane I/O thread that owns the termination they serve; they are not thread-safe and never allocate
 * per packet. Control threads reach them only through that owner (command queue), never directly.
 */
package io.hopgate.rtp;
