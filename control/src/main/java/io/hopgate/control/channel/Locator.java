package io.hopgate.control.channel;

import reactor.core.Disposable;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where a named party ({@code bob@example.com}) can be reached now: the address of its {@link MobileListener}.
 * A SIP registrar is the natural source (a REGISTER or a re-INVITE moves the name); {@link InMemoryLocator} is
 * the simple one.
 */
public interface Locator {
    /** The current address of {@code name}, or empty when the name is not registered. */
    Optional<InetSocketAddress> lookup(String name);

    /**
     * Calls {@code onMove} with each new address of {@code name} (not the current one) until the returned handle
     * is disposed. It runs on the thread that changed the location and must not block.
     */
    Disposable watch(String name, Consumer<InetSocketAddress> onMove);
}
