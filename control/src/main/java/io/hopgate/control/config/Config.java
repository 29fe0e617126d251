package io.hopgate.control.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.DumperOptions;

/**
 * An immutable, validated configuration: a typed value for every {@link ConfigKey}.
 *
 * <p>Precedence, lowest first: the table's defaults, the YAML file, then each {@code --set} in
 * order (a later one wins). Typed accessors fail with {@link IllegalArgumentException} when asked
 * for a key of another type; that is a programming error, not a user error.
 */
public final class Config {
    private static final String SET = "--set";

    private final Map<ConfigKey, Object> values;
    private final Map<ConfigKey, String> origins;

    private Config(Map<ConfigKey, Object> values, Map<ConfigKey, String> origins) {
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
        this.origins = Collections.unmodifiableMap(new EnumMap<>(origins));
    }

    /** Every key at its default. */
    public static Config defaults() {
        return load(null, List.of());
    }

    /**
     * Builds a configuration from the defaults, an optional YAML file and {@code key=value} overrides.
     *
     * @param yamlOrNull a YAML file of nested maps ({@code media: { port-min: 30000 }}), or null
     * @param sets {@code key=value} strings as given to {@code --set}; list values comma-separated
     * @throws ConfigException naming the key, the value, the rule and the source of the first problem
     */
    public static Config load(Path yamlOrNull, List<String> sets) {
        Map<ConfigKey, Object> values = new EnumMap<>(ConfigKey.class);
        Map<ConfigKey, String> origins = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            values.put(key, parse(key, key.defaultText(), "the option table"));
            origins.put(key, "default");
        }
        if (yamlOrNull != null) {
            String source = yamlOrNull.toString();
            for (Map.Entry<String, Object> entry : readYaml(yamlOrNull).entrySet()) {
                ConfigKey key = lookup(entry.getKey(), source);
                values.put(key, parseYamlValue(key, entry.getValue(), source));
                origins.put(key, source);
            }
        }
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set expects key=value, got '" + set + "'");
            }
            ConfigKey key = lookup(set.substring(0, eq).trim(), SET + " " + set);
            values.put(key, parse(key, set.substring(eq + 1).trim(), SET));
            origins.put(key, SET);
        }
        Config config = new Config(values, origins);
        config.checkAcrossKeys();
        return config;
    }

    private void checkAcrossKeys() {
        int portMin = integer(ConfigKey.MEDIA_PORT_MIN);
        int portMax = integer(ConfigKey.MEDIA_PORT_MAX);
        if ((portMin & 1) != 0) {
            throw new ConfigException(ConfigKey.MEDIA_PORT_MIN + "=" + portMin
                + ": must be even (RTP takes the even port, RTCP the odd one above it)"
                    + from(ConfigKey.MEDIA_PORT_MIN));
        }
        if (portMax <= portMin) {
            throw new ConfigException(ConfigKey.MEDIA_PORT_MIN + "=" + portMin + ", " + ConfigKey.MEDIA_PORT_MAX + "="
                + portMax + ": port-max must be above port-min (each call needs an RTP and an RTCP port)"
                + from(ConfigKey.MEDIA_PORT_MAX));
        }
        List<String> gateways = list(ConfigKey.CALLSERVER_GATEWAYS);
        try {
            ValueType.requireUniqueNames(gateways);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(ConfigKey.CALLSERVER_GATEWAYS + "=" + String.join(",", gateways) + ": "
                + e.getMessage() + from(ConfigKey.CALLSERVER_GATEWAYS));
        }
    }

    private String from(ConfigKey key) {
        String origin = origins.get(key);
        return "default".equals(origin) ? "" : " (in " + origin + ")";
    }

    private static Object parse(ConfigKey key, String text, String source) {
        try {
            return key.type().parse(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + "=" + text + ": " + e.getMessage() + " (in " + source + ")");
        }
    }

    private static Object parseYamlValue(ConfigKey key, Object value, String source) {
        if (!(value instanceof List)) {
            return parse(key, ((String) value).trim(), source);
        }
        List<String> items = new ArrayList<>();
        for (Object item : (List<?>) value) {
            if (!(item instanceof String)) {
                throw new ConfigException(key + ": list elements must be single values, got " + item + " (in " + source
                    + ")");
            }
            items.add((String) item);
        }
        try {
            return key.type().parseList(items);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + "=" + items + ": " + e.getMessage() + " (in " + source + ")");
        }
    }

    private static ConfigKey lookup(String name, String source) {
        return ConfigKey.byKey(name).orElseThrow(() -> new ConfigException(
            "unknown key '" + name + "' in " + source + "; " + suggest(name)));
    }

    private static String suggest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : ConfigKey.keys()) {
            int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        if (best != null && bestDistance <= Math.max(2, name.length() / 4)) {
            return "did you mean '" + best + "'?";
        }
        return "known keys: " + String.join(", ", ConfigKey.keys());
    }

    /** Levenshtein distance; the table is small, so the quadratic cost does not matter. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** Reads the file into dotted keys; every scalar stays text so the file and --set parse alike. */
    private static Map<String, Object> readYaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
            options, new TextResolver());
        final Object root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = yaml.load(reader);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e);
        } catch (MarkedYAMLException e) {
            throw new ConfigException("cannot parse " + file + " at line " + (e.getProblemMark().getLine() + 1)
                + ": " + e.getProblem());
        } catch (YAMLException e) {
            throw new ConfigException("cannot parse " + file + ": " + e.getMessage().replace('\n', ' '));
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        if (root == null) {
            return flat;
        }
        if (!(root instanceof Map)) {
            throw new ConfigException(file + " must hold a map of keys (e.g. media: { port-min: 30000 })");
        }
        flatten("", (Map<?, ?>) root, flat, file);
        return flat;
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> flat, Path file) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = prefix + entry.getKey();
            Object value = entry.getValue();
            if (value instanceof Map) {
                flatten(name + ".", (Map<?, ?>) value, flat, file);
                continue;
            }
            // `media: { port-min: 1 }` and `media.port-min: 1` in one file name the same key twice.
            if (flat.put(name, value == null ? "" : value) != null) {
                throw new ConfigException("key '" + name + "' is set twice in " + file);
            }
        }
    }

    /**
     * YAML 1.1 would read {@code off} as false and {@code 0x10} as 16; this resolver keeps every
     * scalar as text (only {@code ~}, {@code null} and an empty value mean "empty").
     */
    private static final class TextResolver extends Resolver {
        @Override
        protected void addImplicitResolvers() {
            addImplicitResolver(Tag.NULL, NULL, "~nN\0");
            addImplicitResolver(Tag.NULL, EMPTY, null);
        }
    }

    // --- typed accessors -------------------------------------------------------------------

    /** The parsed value: String, Integer, Long (ms), Boolean, InetSocketAddress, "" or List&lt;String&gt;. */
    public Object value(ConfigKey key) {
        return values.get(key);
    }

    /** The value as it would be written after {@code --set}. */
    public String text(ConfigKey key) {
        return key.type().render(values.get(key));
    }

    /** Where the value came from: {@code default}, the file's path or {@code --set}. */
    public String origin(ConfigKey key) {
        return origins.get(key);
    }

    public String string(ConfigKey key) {
        return as(key, String.class);
    }

    public int integer(ConfigKey key) {
        return as(key, Integer.class);
    }

    public boolean bool(ConfigKey key) {
        return as(key, Boolean.class);
    }

    public long durationMs(ConfigKey key) {
        return as(key, Long.class);
    }

    public Duration duration(ConfigKey key) {
        return Duration.ofMillis(durationMs(key));
    }

    /** The address; fails with {@link IllegalStateException} when the key is empty (see {@link #isEmpty}). */
    public InetSocketAddress socketAddress(ConfigKey key) {
        return optionalSocketAddress(key).orElseThrow(() -> new IllegalStateException(key + " is empty"));
    }

    public Optional<InetSocketAddress> optionalSocketAddress(ConfigKey key) {
        Object value = values.get(key);
        if ("".equals(value) && key.type().isOptional()) {
            return Optional.empty();
        }
        return Optional.of(as(key, InetSocketAddress.class));
    }

    @SuppressWarnings("unchecked")
    public List<String> list(ConfigKey key) {
        return as(key, List.class);
    }

    /** Whether the value is empty: "" for text and optional addresses, no elements for lists. */
    public boolean isEmpty(ConfigKey key) {
        Object value = values.get(key);
        return "".equals(value) || (value instanceof List && ((List<?>) value).isEmpty());
    }

    public String string(String key) {
        return string(known(key));
    }

    public int integer(String key) {
        return integer(known(key));
    }

    public boolean bool(String key) {
        return bool(known(key));
    }

    public long durationMs(String key) {
        return durationMs(known(key));
    }

    public InetSocketAddress socketAddress(String key) {
        return socketAddress(known(key));
    }

    public List<String> list(String key) {
        return list(known(key));
    }

    private static ConfigKey known(String key) {
        return ConfigKey.byKey(key).orElseThrow(() -> new IllegalArgumentException("unknown key '" + key + "'"));
    }

    private <T> T as(ConfigKey key, Class<T> type) {
        Object value = values.get(key);
        if (!type.isInstance(value)) {
            throw new IllegalArgumentException(key + " is " + key.type().rule() + ", not " + type.getSimpleName());
        }
        return type.cast(value);
    }

    // --- derived values and views ------------------------------------------------------------

    /** gateway.mid, or {@code [ip]:port} of control.listen when it is empty (H.248.1 Annex B mId). */
    public String gatewayMid() {
        return isEmpty(ConfigKey.GATEWAY_MID) ? mid(socketAddress(ConfigKey.CONTROL_LISTEN))
            : string(ConfigKey.GATEWAY_MID);
    }

    /** The H.248 mId for an address: {@code [127.0.0.1]:2944}. Use the bound address when listening on port 0. */
    public static String mid(InetSocketAddress address) {
        return "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
    }

    /** callserver.gateways as an ordered name to address map. */
    public Map<String, InetSocketAddress> gateways() {
        Map<String, InetSocketAddress> gateways = new LinkedHashMap<>();
        for (String entry : list(ConfigKey.CALLSERVER_GATEWAYS)) {
            int eq = entry.indexOf('=');
            gateways.put(entry.substring(0, eq), ValueType.parseSocket(entry.substring(eq + 1), 1));
        }
        return Collections.unmodifiableMap(gateways);
    }

    public ControlSettings control() {
        return ControlSettings.from(this);
    }

    public MediaSettings media() {
        return MediaSettings.from(this);
    }

    public CallServerSettings callServer() {
        return CallServerSettings.from(this);
    }

    public LoadSettings load() {
        return LoadSettings.from(this);
    }

    // --- rendering ---------------------------------------------------------------------------

    /**
     * The option table for {@code --help} and docs, two lines a key: the key with its rule and
     * default, then the description.
     */
    public static String describe() {
        return describe(key -> true);
    }

    /** {@link #describe()} restricted to the keys {@code include} accepts (a subcommand's --help). */
    public static String describe(java.util.function.Predicate<ConfigKey> include) {
        StringBuilder out = new StringBuilder();
        for (ConfigKey key : ConfigKey.values()) {
            if (!include.test(key)) {
                continue;
            }
            out.append("  ").append(key.key()).append("  (").append(key.type().rule()).append("; default ")
                .append(key.defaultText().isEmpty() ? "empty" : key.defaultText()).append(")\n")
                .append("      ").append(key.description()).append('\n');
        }
        return out.toString();
    }

    /** Every key with its effective value, one {@code key=value} per line, for a start-up log. */
    public String render() {
        return values.keySet().stream().map(key -> key + "=" + text(key)).collect(Collectors.joining("\n"));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Config && values.equals(((Config) other).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "Config{" + values.keySet().stream().filter(key -> !"default".equals(origins.get(key)))
            .map(key -> key + "=" + text(key)).collect(Collectors.joining(", ")) + "}";
    }
}
