package io.hopgate.control.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One TCP connection of a session: checks each frame and hands it to the session, or, on a listener's
 * connection that has no session yet, to the listener's handshake. A malformed frame, a frame over the limit or
 * a protocol violation closes the connection with one log line; the session survives and resumes on a new one.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);

    private final MobileListener listener; // the accepting side; null on the opening side
    private MobileChannel session;         // set at construction (opening side) or by the handshake (listener)
    private boolean refused;               // the listener refused the handshake; the connection is closing

    ConnectionHandler(MobileChannel session) {
        this.listener = null;
        this.session = session;
    }

    ConnectionHandler(MobileListener listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (listener == null) {
            session.onConnected(ctx.channel());
        } else {
            long timeoutMs = listener.settings().handshakeTimeout().toMillis();
            ctx.executor().schedule(() -> {
                if (session == null && ctx.channel().isActive()) {
                    log.warn("closing connection: no OPEN or RESUME within {} ms remote={}", timeoutMs,
                            ctx.channel().remoteAddress());
                    ctx.close();
                }
            }, timeoutMs, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (refused) {
                return;
            }
            String error = Frames.check(frame);
            if (error == null) {
                int type = frame.readByte();
                if (session == null) {
                    session = listener.onHandshake(ctx.channel(), type, frame); // refuses and closes by itself
                    refused = session == null;
                } else {
                    error = session.onFrame(ctx.channel(), type, frame);
                }
            }
            if (error != null) {
                log.warn("closing connection: {} remote={} {}", error, ctx.channel().remoteAddress(), describe());
                ctx.close();
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (session != null) {
            session.flushAck(ctx.channel());
        }
        ctx.fireChannelReadComplete();
    }

    private String describe() {
        return session == null ? "before handshake" : session.toString();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // TooLongFrameException from the decoder, or an I/O error such as a reset (routine when a party moves).
        if (cause instanceof java.io.IOException) {
            log.info("closing connection: {} remote={} {}", cause.toString(), ctx.channel().remoteAddress(),
                describe());
        } else {
            log.warn("closing connection: {} remote={} {}", cause.toString(), ctx.channel().remoteAddress(),
                describe());
        }
        ctx.close();
    }
}
