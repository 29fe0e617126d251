package io.hopgate.media;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;

import java.util.Locale;

/**
 * The socket layer under the I/O loops ({@code media.transport}). With io_uring all sockets of a loop share one
 * ring: the receives and sends of many sockets are submitted and reaped in one system call, which is the batching
 * across sockets that recvmmsg per socket cannot give at 10 packets/s per socket (docs/architecture.md section 4,
 * "Transport").
 * Epoll batches per socket (recvmmsg/sendmmsg); NIO is the portable fallback without native code.
 */
public enum Transport {
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    /**
     * A system property that, when set, decides what {@code auto} means: the build runs the media-plane and control
     * suites once per transport with it.
     */
    public static final String PROPERTY = "hopgate.media.transport";

    private final String setting;

    Transport(String setting) {
        this.setting = setting;
    }

    /** The value of {@code media.transport} that names this transport. */
    public String setting() {
        return setting;
    }

    /** Whether the native code of this transport loads and the kernel allows it. */
    public boolean available() {
        return switch (this) {
            case IO_URING -> IoUring.isAvailable();
            case EPOLL -> Epoll.isAvailable();
            case NIO -> true;
        };
    }

    /** Why {@link #available} is false (the native loader's or the kernel's answer); empty when it is true. */
    public String unavailabilityCause() {
        Throwable cause = switch (this) {
            case IO_URING -> IoUring.unavailabilityCause();
            case EPOLL -> Epoll.unavailabilityCause();
            case NIO -> null;
        };
        return cause == null ? "" : String.valueOf(cause);
    }

    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case IO_URING -> IoUringIoHandler.newFactory();
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    Class<? extends DatagramChannel> datagramChannel() {
        return switch (this) {
            case IO_URING -> IoUringDatagramChannel.class;
            case EPOLL -> EpollDatagramChannel.class;
            case NIO -> NioDatagramChannel.class;
        };
    }

    /** Whether this transport runs on native Linux code (io_uring, epoll) rather than the JDK's NIO. */
    public boolean isNative() {
        return this != NIO;
    }

    /**
     * The transport for a {@code media.transport} value: {@code auto} picks epoll, else io_uring, else NIO (or what
     * {@link #PROPERTY} names, when set); a named transport must be available. Epoll first because it measured
     * faster here: with Netty 4.2.18's io_uring datagram channel Hopgate used about twice epoll's CPU at 1000 calls
     * and 20k packets/s, and queued (bench/README.md, "Transports").
     *
     * @throws IllegalArgumentException for an unknown name or a named transport that is not available here
     */
    public static Choice choose(String setting) {
        String value = setting == null ? "auto" : setting.trim().toLowerCase(Locale.ROOT);
        if (value.isEmpty() || value.equals("auto")) {
            String forced = System.getProperty(PROPERTY, "").trim();
            if (!forced.isEmpty() && !forced.equalsIgnoreCase("auto")) {
                Choice named = choose(forced);
                return new Choice(named.transport(), "auto: system property " + PROPERTY + "=" + forced);
            }
            if (EPOLL.available()) {
                return new Choice(EPOLL, "auto: epoll available");
            }
            if (IO_URING.available()) {
                return new Choice(IO_URING, "auto: epoll unavailable (" + EPOLL.unavailabilityCause() + ")");
            }
            return new Choice(NIO, "auto: epoll unavailable (" + EPOLL.unavailabilityCause()
                + "), io_uring unavailable (" + IO_URING.unavailabilityCause() + ")");
        }
        for (Transport t : values()) {
            if (t.setting.equals(value)) {
                if (!t.available()) {
                    throw new IllegalArgumentException("media.transport=" + value + ": not available here: "
                        + t.unavailabilityCause());
                }
                return new Choice(t, "configured");
            }
        }
        throw new IllegalArgumentException("media.transport=" + setting + ": must be auto, io_uring, epoll or nio");
    }

    /** A transport and why it was chosen, for the start-up log. */
    public record Choice(Transport transport, String reason) {
    }
}
