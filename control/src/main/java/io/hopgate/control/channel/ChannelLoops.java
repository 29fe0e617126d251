package io.hopgate.control.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import reactor.core.publisher.Mono;

/** The event loops every channel and listener shares: two daemon threads, so nothing must be shut down. */
final class ChannelLoops {
    static final EventLoopGroup GROUP =
            new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("hopgate-channel", true),
                NioIoHandler.newFactory());

    private ChannelLoops() {
    }

    static Mono<Channel> toMono(ChannelFuture future) {
        return Mono.create(sink -> future.addListener(done -> {
            if (done.isSuccess()) {
                sink.success(future.channel());
            } else {
                sink.error(done.cause());
            }
        }));
    }
}
