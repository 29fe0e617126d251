package io.hopgate.control.channel;

import reactor.core.Disposable;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A thread-safe {@link Locator} fed by {@link #register}. Names are compared exactly. */
public final class InMemoryLocator implements Locator {
    private final ConcurrentHashMap<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, List<Consumer<InetSocketAddress>>> watchers = new ConcurrentHashMap<>();

    /** Records where {@code name} is now and tells its watchers if that is a new address. */
    public void register(String name, InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        InetSocketAddress previous = addresses.put(name, address);
        if (!address.equals(previous)) {
            for (Consumer<InetSocketAddress> onMove : watchers.getOrDefault(name, List.of())) {
                onMove.accept(address);
            }
        }
    }

    /** Forgets {@code name}; watchers are not told (there is no address to move to). */
    public void unregister(String name) {
        addresses.remove(name);
    }

    @Override
    public Optional<InetSocketAddress> lookup(String name) {
        return Optional.ofNullable(addresses.get(name));
    }

    @Override
    public Disposable watch(String name, Consumer<InetSocketAddress> onMove) {
        List<Consumer<InetSocketAddress>> list = watchers.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
        list.add(onMove);
        return () -> list.remove(onMove);
    }
}
