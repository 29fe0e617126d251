package io.hopgate.control;

import ch.qos.logback.classic.Level;
import io.hopgate.control.config.Config;
import io.hopgate.control.config.ConfigException;
import io.hopgate.control.config.ConfigKey;
import io.hopgate.control.service.Service;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar hopgate.jar <gateway|callserver|demo|load|channel> [--config FILE] [--set key=value]...}
 *
 * <p>Loads the config (defaults, then the file, then each {@code --set}), sets the root log level,
 * builds the subcommand's {@link Service} through {@link Services}, starts it and waits until the
 * process is told to stop (SIGTERM runs the shutdown hook, which closes the service) or the service
 * finishes by itself. Exit codes: 0 normal, 1 start failure, 2 bad usage or configuration; on
 * SIGTERM the JVM exits with 143, which the systemd unit counts as success.
 */
@Command(name = "hopgate", description = "Hopgate RTP media gateway controlled over H.248.",
    versionProvider = Main.Version.class,
    subcommands = {Main.Gateway.class, Main.CallServer.class, Main.Demo.class, Main.Load.class, Main.Channel.class},
    synopsisSubcommandLabel = "(gateway | callserver | demo | load | channel)",
    footer = {"", "Run 'hopgate <subcommand> --help' for the options and configuration keys."})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    /** Wide enough that no key's line in the table wraps. */
    private static final int HELP_WIDTH = 140;

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    private boolean help;

    @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version and exit.")
    private boolean version;

    /** The key prefixes each subcommand reads; its --help lists only those keys. */
    static final java.util.Map<String, List<String>> KEY_PREFIXES = java.util.Map.of(
        "gateway", List.of("gateway.", "control.", "ng.", "media.", "state.", "admin.", "log."),
        "callserver", List.of("callserver.", "state.redis", "state.timeout-ms", "log."),
        "demo", List.of("demo.", "log."),
        "load", List.of("load.", "log."),
        "channel", List.of("channel.", "log."));

    /** The jar's Implementation-Version (the Maven project version), or a marker when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"hopgate " + (v == null ? "(development build, no jar manifest)" : v)
                + " (Java " + Runtime.version() + ")"};
        }
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        // System.exit also stops the event-loop threads a finished service may have left behind.
        System.exit(execute(args, out, err));
    }

    /** Runs the command line and returns the exit code; blocks while the service runs. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler((e, ignored) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(command + ": " + oneLine(e.getMessage()) + " (see " + command + " --help)");
            err.flush();
            return EXIT_USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cl, ignored) -> {
            // Only bugs get here: config and start failures are mapped inside ServiceCommand.
            LOG.error("unexpected failure command={}", cl.getCommandSpec().qualifiedName(), e);
            err.println(cl.getCommandSpec().qualifiedName() + ": " + describe(e));
            err.flush();
            return EXIT_START_FAILURE;
        });
        for (java.util.Map.Entry<String, CommandLine> sub : commandLine.getSubcommands().entrySet()) {
            sub.getValue().getCommandSpec().usageMessage().footer(footer(sub.getKey())).width(HELP_WIDTH);
        }
        return commandLine.execute(args);
    }

    /** The keys {@code subcommand} reads, and where the others are documented. */
    static String footer(String subcommand) {
        List<String> prefixes = KEY_PREFIXES.getOrDefault(subcommand, List.of(""));
        java.util.function.Predicate<ConfigKey> reads = k -> prefixes.stream().anyMatch(k.key()::startsWith);
        long others = java.util.Arrays.stream(ConfigKey.values()).filter(reads.negate()).count();
        String text = "\nConfiguration keys " + subcommand
            + " reads (the YAML path in --config FILE, or --set KEY=VALUE):\n"
            + Config.describe(reads)
            + (others == 0 ? "" : "The other " + others
                + " keys belong to other subcommands: see 'hopgate <subcommand> "
            + "--help' or config/hopgate.yaml, which lists every key with its default.\n");
        return text.replace("%", "%%").replace("\n", "%n");
    }

    @Override
    public void run() {
        // No subcommand given.
        throw new CommandLine.ParameterException(spec.commandLine(),
            "missing subcommand: one of " + String.join(", ", Services.SUBCOMMANDS));
    }

    /** The options every subcommand shares and the start-up sequence. */
    abstract static class ServiceCommand implements java.util.concurrent.Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--config", paramLabel = "FILE",
            description = "YAML configuration file; config/hopgate.yaml lists every key with its default.")
        Path configFile;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one key (repeatable; wins over the file). Lists are comma-separated.")
        List<String> sets = new ArrayList<>();

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and the configuration keys.")
        boolean help;

        /** Overrides from subcommand-specific options, applied after every --set. */
        List<String> optionSets() {
            return List.of();
        }

        @Override
        public Integer call() {
            List<String> all = new ArrayList<>(sets);
            all.addAll(optionSets());
            return runService(spec.name(), configFile, all, spec.commandLine().getErr());
        }
    }

    @Command(name = "gateway", description = "Run the media gateway: H.248 on control.listen, RTP on media.*, "
        + "admin HTTP on admin.listen.")
    static final class Gateway extends ServiceCommand {
        @Option(names = "--takeover", description = "Take over a failed gateway's calls from state.redis (same "
            + "gateway.mid; sets state.takeover): ServiceChange Failover instead of Restart.")
        boolean takeover;

        @Override
        List<String> optionSets() {
            return takeover ? List.of(ConfigKey.STATE_TAKEOVER.key() + "=true") : List.of();
        }
    }

    @Command(name = "callserver", description = "Run the call server: SIP on callserver.sip.listen, H.248 toward "
        + "callserver.gateways, events on callserver.api.listen.")
    static final class CallServer extends ServiceCommand {
    }

    @Command(name = "demo", description = "Run a gateway and a call server in one process with a scripted handoff.")
    static final class Demo extends ServiceCommand {
    }

    @Command(name = "load", description = "Drive a gateway (load.gateway) with H.248 calls and RTP streams; "
        + "prints progress and a summary.")
    static final class Load extends ServiceCommand {
        @Option(names = "--calls", paramLabel = "N", description = "Concurrent calls (sets load.calls).")
        String calls;

        @Option(names = "--pps", paramLabel = "R", description = "Packets per second per stream (sets load.pps).")
        String pps;

        @Option(names = "--seconds", paramLabel = "S", description = "Length of the run (sets load.seconds).")
        String seconds;

        @Override
        List<String> optionSets() {
            // Text, not int: the option table validates and names the key in its message.
            List<String> out = new ArrayList<>();
            if (calls != null) {
                out.add(ConfigKey.LOAD_CALLS.key() + "=" + calls);
            }
            if (pps != null) {
                out.add(ConfigKey.LOAD_PPS.key() + "=" + pps);
            }
            if (seconds != null) {
                out.add(ConfigKey.LOAD_SECONDS.key() + "=" + seconds);
            }
            return out;
        }
    }

    @Command(name = "channel", description = "Use the mobile data channel from a shell: 'listen AOR' registers the "
        + "party with the call server's SIP registrar and prints each message as a line; 'send AOR' sends each line "
        + "of stdin to it (docs/architecture.md section 3.9).")
    static final class Channel extends ServiceCommand {
        @Parameters(index = "0", arity = "0..1", paramLabel = "ROLE",
            description = "listen or send (sets channel.role).")
        String role;

        @Parameters(index = "1", arity = "0..1", paramLabel = "AOR",
            description = "The party, e.g. alice@example.com (sets channel.aor).")
        String aor;

        @Option(names = "--move-every", paramLabel = "MS",
            description = "listen: move to a new port and re-REGISTER this often (sets channel.move-every-ms).")
        String moveEvery;

        @Override
        List<String> optionSets() {
            List<String> out = new ArrayList<>();
            if (role != null) {
                out.add(ConfigKey.CHANNEL_ROLE.key() + "=" + role);
            }
            if (aor != null) {
                out.add(ConfigKey.CHANNEL_AOR.key() + "=" + aor);
            }
            if (moveEvery != null) {
                out.add(ConfigKey.CHANNEL_MOVE_EVERY_MS.key() + "=" + moveEvery);
            }
            return out;
        }
    }

    static int runService(String name, Path configFile, List<String> sets, PrintWriter err) {
        String prefix = "hopgate " + name + ": ";
        final Service service;
        try {
            Config config = Config.load(configFile, sets);
            applyLogLevel(config.string(ConfigKey.LOG_LEVEL));
            service = Services.create(name, config);
            LOG.info("starting subcommand={} config={} overrides={}", name,
                configFile == null ? "(defaults)" : configFile,
                sets.size());
            LOG.debug("effective config\n{}", config.render());
        } catch (ConfigException e) {
            err.println(prefix + oneLine(e.getMessage()));
            err.flush();
            return EXIT_USAGE;
        }
        AtomicBoolean stopped = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                closeQuietly(name, service);
                LOG.info("stopped subcommand={}", name);
            }
        };
        // Installed before start() so a SIGTERM during start-up still closes what was opened.
        Thread hook = new Thread(stop, "hopgate-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            service.start();
        } catch (Exception e) {
            removeHook(hook);
            stopped.set(true);
            closeQuietly(name, service);
            String inUse = addressInUse(e);
            if (inUse != null) {
                err.println(prefix + inUse);
                err.flush();
                return EXIT_USAGE;
            }
            boolean config = e instanceof ConfigException;
            err.println(prefix + (config ? "" : "start failed: ") + describe(e));
            err.flush();
            LOG.debug("start failed subcommand={}", name, e);
            return config ? EXIT_USAGE : EXIT_START_FAILURE;
        }
        LOG.info("started subcommand={}", name);

        int code;
        try {
            // Daemons never complete this; the shutdown hook stops them and the JVM exits under us.
            code = service.finished().toCompletableFuture().join();
        } catch (CompletionException e) {
            err.println(prefix + "failed: " + describe(e.getCause() != null ? e.getCause() : e));
            err.flush();
            code = EXIT_START_FAILURE;
        }
        removeHook(hook);
        stop.run();
        return code;
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running; it closes the service.
        }
    }

    /** Sets the Logback root level; does nothing when another SLF4J binding is in use. */
    static void applyLogLevel(String level) {
        Logger root = LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger) {
            ((ch.qos.logback.classic.Logger) root).setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    private static void closeQuietly(String name, Service service) {
        try {
            service.close();
        } catch (RuntimeException e) {
            LOG.warn("close failed subcommand={}", name, e);
        }
    }

    /**
     * For a bind failure because the address is taken: "cannot bind KEY ADDRESS: address in use ...", from the
     * service's own message (which names the key); null for any other failure. An address in use is a
     * configuration error (exit 2): the fix is another address or stopping the other process.
     */
    static String addressInUse(Throwable e) {
        boolean inUse = false;
        for (Throwable t = e; t != null && !inUse; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
            // reactor-netty's ChannelBindException ("Failed to bind on [...]") drops the BindException cause.
            inUse = t instanceof java.net.BindException || m.contains("address already in use")
                || m.contains("address in use") || t.getClass().getName().equals("reactor.netty.ChannelBindException");
        }
        if (!inUse) {
            return null;
        }
        String message = e.getMessage() == null ? "" : oneLine(e.getMessage());
        int at = message.indexOf("cannot bind ");
        if (at < 0) {
            return "address in use: " + describe(e);
        }
        String[] words = message.substring(at + "cannot bind ".length()).replaceFirst("^(\\S+) on ", "$1 ")
            .split("[ =]", 3);
        String key = words[0];
        String address = words.length > 1 ? words[1].replaceAll(":$", "") : "?";
        if (!isLocal(address)) {
            return "cannot bind " + key + "=" + address + ": not an address of this host";
        }
        return "address in use: " + key + "=" + address + " is already bound by another process; stop that process "
            + "or choose another address (--set " + key + "=HOST:PORT)";
    }

    private static boolean isLocal(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        try {
            java.net.InetAddress address = java.net.InetAddress.getByName(host.replace("[", "").replace("]", ""));
            return address.isAnyLocalAddress() || address.isLoopbackAddress()
                || java.net.NetworkInterface.getByInetAddress(address) != null;
        } catch (java.io.IOException e) {
            return true; // cannot tell: keep the in-use reading the bind failure most often means
        }
    }

    /** The exception's message and, when it adds something, its root cause's, on one line. */
    static String describe(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !message.contains(root.getMessage())) {
            message = message + ": " + root.getMessage();
        }
        return oneLine(message);
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
