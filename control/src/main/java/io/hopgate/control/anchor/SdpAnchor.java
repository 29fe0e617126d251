package io.hopgate.control.anchor;

import io.hopgate.control.h248.LocalControlMode;
import io.hopgate.control.h248.ContextId;
import io.hopgate.control.h248.TerminationId;
import io.hopgate.control.mgc.GatewayClient;
import io.hopgate.control.mgc.GatewayClient.Added;
import io.hopgate.control.mgc.GatewayClient.StreamRequest;
import io.hopgate.control.mgc.GatewayException;
import io.hopgate.rtp.sdp.SessionDescription;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Offer/answer through one gateway: {@link #open} for an offer, {@link #answer} for the answer, {@link #move} when a
 * party's address changes, {@link #markMoving} ahead of a move, {@link #release} at the end. Each returns what the
 * caller needs to continue (the anchored pair, the rewritten SDP) and holds nothing between calls: the session's
 * state belongs to the caller ({@link AnchoredPair}).
 */
public final class SdpAnchor {
    private final GatewayClient gateway;

    public SdpAnchor(GatewayClient gateway) {
        this.gateway = Objects.requireNonNull(gateway, "gateway");
    }

    /** One party's termination on the gateway and the gateway's media address facing that party. */
    public record AnchoredLeg(TerminationId termination, InetSocketAddress gatewayMedia) {
    }

    /** The context of a session and its two legs: the offerer's and the answerer's. */
    public record AnchoredPair(ContextId context, AnchoredLeg offerer, AnchoredLeg answerer) {
    }

    /** The gateway's name, as {@link GatewayException}s carry it. */
    public String gatewayName() {
        return gateway.name();
    }

    /**
     * Opens a context for an offer: the offerer's leg gets the offer as its Remote (SendReceive), the answerer's leg
     * stays Inactive until the answer gives it a Remote. The future fails with a {@link GatewayException}.
     */
    public CompletableFuture<AnchoredPair> open(SessionDescription offer) {
        return gateway.addAsync(ContextId.CHOOSE, List.of(
                remote(offer),
                StreamRequest.of(LocalControlMode.INACTIVE, null)))
            .thenApply(SdpAnchor::pair);
    }

    static AnchoredPair pair(List<Added> added) {
        if (added.size() != 2) {
            throw new IllegalStateException("gateway added " + added.size() + " terminations for a pair, expected 2");
        }
        return new AnchoredPair(added.get(0).context(),
            new AnchoredLeg(added.get(0).termination(), added.get(0).local()),
            new AnchoredLeg(added.get(1).termination(), added.get(1).local()));
    }

    /**
     * The offer as the answerer is to see it: the gateway's media address facing the answerer in place of the
     * offerer's.
     */
    public static String offerToAnswerer(AnchoredPair pair, SessionDescription offer) {
        return rewrite(offer, pair.answerer().gatewayMedia());
    }

    /**
     * Applies the answer: the answerer's leg gets it as its Remote (SendReceive). The future completes with the answer
     * as the offerer is to see it (the gateway's media address facing the offerer).
     */
    public CompletableFuture<String> answer(AnchoredPair pair, SessionDescription answer) {
        return gateway.modifyStreamAsync(pair.context(), pair.answerer().termination(), remote(answer))
            .thenApply(applied -> rewrite(answer, pair.offerer().gatewayMedia()));
    }

    /**
     * A party moved: its leg's Remote becomes the new SDP (which also ends a hold set by {@link #markMoving}: the
     * gateway sends what it held first). What the parties were given stays as it is. The move asks for dual receive
     * (RFC 3264 section 8.3.1): what the party sent from its old address just before it moved still gets through,
     * until the first packet from the new one (docs/architecture.md section 2.8).
     */
    public CompletableFuture<Void> move(ContextId context, TerminationId leg, SessionDescription moved) {
        StreamRequest newRemote = StreamRequest.moved(LocalControlMode.SEND_RECEIVE, anchored(moved).format("\n"));
        return gateway.modifyStreamAsync(context, leg, newRemote);
    }

    /** The party is about to move: the gateway holds its media, in order, until {@link #move} (section 2.7). */
    public CompletableFuture<Void> markMoving(ContextId context, TerminationId leg) {
        return gateway.modifyStreamAsync(context, leg, StreamRequest.MOVING);
    }

    /** Ends the session: Subtract every termination of the context (the gateway then frees the context). */
    public CompletableFuture<Void> release(ContextId context) {
        return gateway.releaseAsync(context);
    }

    private static StreamRequest remote(SessionDescription sdp) {
        return StreamRequest.of(LocalControlMode.SEND_RECEIVE, anchored(sdp).format("\n"));
    }

    /**
     * The one stream a leg carries: the first audio m= line (else the first). A gateway leg is one RTP stream, so the
     * gateway is given that line only; {@link #rewrite} refuses the others toward the peer.
     */
    static SessionDescription anchored(SessionDescription sdp) {
        return sdp.onlyMedia(sdp.audioIndex());
    }

    /**
     * A party's SDP with the gateway's address and port in place of the party's own on the anchored stream; every
     * other m= line gets port 0, a refused stream (RFC 3264 section 6), since nothing would carry it.
     */
    public static String rewrite(SessionDescription sdp, InetSocketAddress gatewayMedia) {
        String type = gatewayMedia.getAddress() instanceof Inet6Address ? "IP6" : "IP4";
        SessionDescription rewritten = sdp.withConnection(type, gatewayMedia.getAddress().getHostAddress());
        int anchored = sdp.audioIndex();
        for (int i = 0; i < sdp.media().size(); i++) {
            rewritten = rewritten.withMediaPort(i, i == anchored ? gatewayMedia.getPort() : 0);
        }
        return rewritten.format("\r\n");
    }

    /** A message body as SDP, or null when it is empty or not SDP this codec reads. */
    public static SessionDescription parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return SessionDescription.parse(new String(body, StandardCharsets.UTF_8));
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * The GatewayClient's failure behind a continuation's error. Its futures fail with a GatewayException, but a
     * stage composed after them sees it wrapped in a CompletionException.
     */
    public GatewayException failure(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause instanceof GatewayException g ? g
            : new GatewayException(gateway.name(), 0, cause.toString(), cause);
    }
}
