package io.hopgate.media;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;

/**
 * Where the forwarding rule ({@link PacketForwarder#forward}) hands what leaves the gateway: {@link IoLoop} queues it
 * on the termination's socket; a unit test records it, a benchmark releases it. Called on the loop's thread only.
 */
public interface Egress {
    /**
     * Queues {@code datagram} (its one reference passes to the egress) on {@code to}'s RTP socket, or its RTCP socket
     * when {@code rtcpPort}, toward {@code destination}.
     */
    void send(Termination to, boolean rtcpPort, ByteBuf datagram, InetSocketAddress destination);
}
