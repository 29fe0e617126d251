package io.hopgate.media;

import java.net.InetSocketAddress;

/**
 * Where a termination sends to, and which sources it accepts. Immutable: control publishes a new one with a single
 * release store, so the forwarding thread sees either the old or the new address, never a mix.
 *
 * @param rtp               the peer's RTP address (also the only accepted RTP source)
 * @param rtcp              the peer's RTCP address (RTP port + 1 unless SDP says otherwise)
 * @param previousRtp       the address before the last change when dual receive was asked for: still accepted as a
 *                          source until the first packet from {@code rtp} arrives and at most until
 *                          {@code previousUntilNanos} (RFC 3264 section 8.3.1); null for a hard switch
 * @param previousUntilNanos {@link System#nanoTime()} deadline for {@code previousRtp}
 */
public record RemoteAddress(InetSocketAddress rtp, InetSocketAddress rtcp, InetSocketAddress previousRtp,
                            long previousUntilNanos) {

    public static RemoteAddress of(InetSocketAddress rtp) {
        return new RemoteAddress(rtp, new InetSocketAddress(rtp.getAddress(), rtp.getPort() + 1), null, 0);
    }

    /** True when {@code source} is the current peer's RTP address. */
    boolean isCurrentRtp(InetSocketAddress source) {
        return rtp.equals(source);
    }

    /** RTCP may come from the RTCP port or, with rtcp-mux style peers, from the RTP port; never from another host. */
    boolean isCurrentRtcp(InetSocketAddress source) {
        return rtcp.equals(source) || rtp.equals(source);
    }

    /** True when {@code source} is the previous RTP address and its dual-receive deadline has not passed. */
    boolean isPreviousRtp(InetSocketAddress source, long nowNanos) {
        return previousRtp != null && nowNanos - previousUntilNanos < 0 && previousRtp.equals(source);
    }

    /** The previous address's RTP or RTCP port (RTP port + 1) before its deadline. */
    boolean isPreviousRtcp(InetSocketAddress source, long nowNanos) {
        return isPreviousRtp(source, nowNanos) || (previousRtp != null && nowNanos - previousUntilNanos < 0
            && previousRtp.getPort() + 1 == source.getPort() && previousRtp.getAddress().equals(source.getAddress()));
    }
}
