package io.hopgate.media;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

/**
 * The Netty handler at the head of a termination's RTP or RTCP socket. It hands each datagram to the owning
 * {@link IoLoop} and consumes it: nothing travels further down the pipeline, so Reactor Netty's operators never see
 * per-packet traffic.
 */
final class IngressHandler extends ChannelInboundHandlerAdapter {
    private final Termination termination;
    private final boolean rtcpPort;
    /** Written by control before the channel is (re-)registered on the loop, which orders it before the reads. */
    volatile IoLoop loop;
    /**
     * Set when the socket was replaced by one on another loop ({@link SocketBinder#rebind}): from then on the
     * termination is another loop's, so what this socket still reads is dropped untouched.
     */
    volatile boolean retired;

    IngressHandler(Termination termination, boolean rtcpPort, IoLoop loop) {
        this.termination = termination;
        this.rtcpPort = rtcpPort;
        this.loop = loop;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (retired) {
            ReferenceCountUtil.release(msg);
        } else if (msg instanceof DatagramPacket packet) {
            loop.onDatagram(termination, rtcpPort, packet);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        loop.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!retired) {
            loop.onError(termination, rtcpPort, cause);
        }
    }
}
