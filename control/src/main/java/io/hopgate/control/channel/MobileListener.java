package io.hopgate.control.channel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Accepts channels opened to one name and holds their sessions, so that a peer can resume a session from a
 * new address, or after this listener moved ({@link #rebind}). A resume must present the session's random token:
 * an unknown session id or a wrong token gets an ERROR and the connection is closed, and the session is left
 * untouched.
 */
public final class MobileListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MobileListener.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Chooses the handler of a newly opened channel; it may send on it already. Runs on an event loop. */
    @FunctionalInterface
    public interface Acceptor {
        MessageHandler onOpen(MobileChannel channel);
    }

    private final String name;
    private final ChannelSettings settings;
    private final Acceptor acceptor;
    private final Map<Long, MobileChannel> sessions = new ConcurrentHashMap<>();
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile Channel server;

    private MobileListener(String name, ChannelSettings settings, Acceptor acceptor) {
        this.name = name;
        this.settings = settings;
        this.acceptor = acceptor;
    }

    /** Listens for channels opened to {@code name} on {@code address} (port 0: an ephemeral one). */
    public static Mono<MobileListener> bind(String name, InetSocketAddress address, ChannelSettings settings,
                                            Acceptor acceptor) {
        MobileChannel.requireName(name);
        MobileListener listener = new MobileListener(name, settings, acceptor);
        return listener.listen(address).map(server -> {
            listener.server = server;
            log.info("channel listener bound name={} address={}", name, server.localAddress());
            return listener;
        });
    }

    /**
     * Moves the listener: binds {@code address}, then closes the old socket and every connection that came in
     * through it. Sessions stay and wait for their peers to resume at the new address (tell the locator).
     */
    public Mono<InetSocketAddress> rebind(InetSocketAddress address) {
        return listen(address).flatMap(next -> {
            Channel old = server;
            server = next;
            InetSocketAddress oldAddress = (InetSocketAddress) old.localAddress();
            old.close();
            log.info("channel listener moved name={} from={} to={}", name, oldAddress, next.localAddress());
            // Completes once the old connections are closed: until then a peer's message could still be read and
            // acknowledged on the old address, which a caller that moved the listener no longer expects.
            return Mono.<InetSocketAddress>create(sink -> connections
                .close(c -> oldAddress.equals(c.localAddress()))
                .addListener(f -> sink.success((InetSocketAddress) next.localAddress())));
        });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public String name() {
        return name;
    }

    /** Open sessions, connected or waiting for a resume. */
    public List<MobileChannel> sessions() {
        return List.copyOf(sessions.values());
    }

    /** Stops listening and closes every session. */
    @Override
    public void close() {
        server.close();
        sessions.values().forEach(MobileChannel::close);
        connections.close();
    }

    /** Test hook: breaks every connection as a network failure would; the sessions survive. */
    void dropConnections() {
        connections.close();
    }

    ChannelSettings settings() {
        return settings;
    }

    private Mono<Channel> listen(InetSocketAddress address) {
        return ChannelLoops.toMono(new ServerBootstrap().group(ChannelLoops.GROUP)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(Frames.decoder(settings.maxFrameBytes()),
                                new ConnectionHandler(MobileListener.this));
                    }
                })
                .bind(address));
    }

    /** The first frame on a connection: OPEN or RESUME. Returns the session it binds to, or null (refused). */
    MobileChannel onHandshake(Channel c, int type, ByteBuf body) {
        if (type == Frames.OPEN) {
            body.skipBytes(1); // version, checked by Frames.check
            String from = Frames.readName(body);
            String to = Frames.readName(body);
            if (!name.equals(to)) {
                return refuse(c, Frames.E_NO_SUCH_NAME, "no listener for " + to + " here (this is " + name + ")");
            }
            if (sessions.size() >= settings.maxSessions()) {
                return refuse(c, Frames.E_BUSY, "busy: " + sessions.size() + " of " + settings.maxSessions()
                        + " sessions (maxSessions)");
            }
            long id = RANDOM.nextLong();
            byte[] token = new byte[Frames.TOKEN_LENGTH];
            RANDOM.nextBytes(token);
            MobileChannel session = MobileChannel.accepted(name, from, settings, id, token, () -> sessions.remove(id));
            if (sessions.putIfAbsent(id, session) != null) {
                return refuse(c, Frames.E_BUSY, "session id collision, retry");
            }
            MessageHandler handler;
            try {
                handler = acceptor.onOpen(session);
            } catch (RuntimeException e) {
                log.warn("acceptor threw, refusing channel from={} remote={}", from, c.remoteAddress(), e);
                handler = null;
            }
            if (handler == null) {
                sessions.remove(id);
                return refuse(c, Frames.E_NOT_ACCEPTED, "not accepted by " + name);
            }
            session.attach(c, handler);
            log.info("channel accepted {} remote={}", session, c.remoteAddress());
            return session;
        }
        if (type == Frames.RESUME) {
            body.skipBytes(1);
            long id = body.readLong();
            byte[] token = new byte[Frames.TOKEN_LENGTH];
            body.readBytes(token);
            long peerLastReceived = body.readLong();
            MobileChannel session = sessions.get(id);
            if (session == null) {
                log.warn("resume refused: unknown session={} remote={}", Long.toHexString(id), c.remoteAddress());
                return refuse(c, Frames.E_UNKNOWN_SESSION, "unknown session " + Long.toHexString(id));
            }
            if (!session.tokenMatches(token)) {
                log.warn("resume refused: wrong token for {} remote={}", session, c.remoteAddress());
                return refuse(c, Frames.E_BAD_TOKEN, "wrong token for session " + Long.toHexString(id));
            }
            String error = session.onResume(c, peerLastReceived);
            return error == null ? session : refuse(c, Frames.E_PROTOCOL, error);
        }
        return refuse(c, Frames.E_PROTOCOL, "expected OPEN or RESUME, got " + Frames.name(type));
    }

    private static MobileChannel refuse(Channel c, int code, String reason) {
        c.writeAndFlush(Frames.error(c.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
        return null;
    }
}
