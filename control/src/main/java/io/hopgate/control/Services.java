package io.hopgate.control;

import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;
import io.hopgate.control.service.Service;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry from subcommand name to the factory that builds its {@link Service}. The default
 * wiring lives in the static block below: each service adds one line there when it lands.
 * {@link #register} is public so tests (and embedders) can put their own factory in.
 */
public final class Services {
    /** The subcommands Main offers, in help order. */
    public static final List<String> SUBCOMMANDS = List.of("gateway", "callserver", "demo", "load", "channel");

    private static final Map<String, Function<Config, ? extends Service>> FACTORIES = new ConcurrentHashMap<>();

    static {
        // Default wiring, one line per implemented subcommand.
        register("gateway", io.hopgate.control.gateway.GatewayService::new);
        register("load", io.hopgate.control.load.LoadService::new);
        register("callserver", io.hopgate.control.callserver.CallServerService::new);
        register("demo", io.hopgate.control.demo.DemoService::new);
        register("channel", io.hopgate.control.channelcli.ChannelService::new);
    }

    private Services() {
    }

    /** Installs (or replaces) the factory for a subcommand; returns the one it replaced, or null. */
    public static Function<Config, ? extends Service> register(String subcommand,
                                                               Function<Config, ? extends Service> factory) {
        return FACTORIES.put(Objects.requireNonNull(subcommand, "subcommand"),
            Objects.requireNonNull(factory, "factory"));
    }

    /** Removes a subcommand's factory; returns it, or null. */
    public static Function<Config, ? extends Service> unregister(String subcommand) {
        return FACTORIES.remove(subcommand);
    }

    /**
     * Builds the service for a subcommand.
     *
     * @throws ConfigException when this build has no factory for the subcommand
     */
    public static Service create(String subcommand, Config config) {
        Function<Config, ? extends Service> factory = FACTORIES.get(subcommand);
        if (factory == null) {
            throw new ConfigException("subcommand '" + subcommand + "' is not available in this build");
        }
        return Objects.requireNonNull(factory.apply(config), () -> "factory for '" + subcommand + "' returned null");
    }
}
