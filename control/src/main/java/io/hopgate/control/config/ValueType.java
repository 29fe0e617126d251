package io.hopgate.control.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule for one kind of configuration value: how text (from {@code --set} or a YAML scalar) is
 * parsed into the typed value {@link Config} hands out, and a short description of the rule for
 * {@code --help}. Parsing never consults the network: host names are not accepted where an address
 * is bound or compared, and socket addresses are resolved only when the host is an IP literal.
 */
public abstract class ValueType {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");

    private ValueType() {
    }

    /** The rule in a few words, for the option table: {@code "int 1024..65535"}. */
    public abstract String rule();

    /**
     * Parses one textual value.
     *
     * @throws IllegalArgumentException whose message states the broken rule without the key
     *     ("must be between 1024 and 65535"); {@link Config} adds the key, the value and the source.
     */
    abstract Object parse(String text);

    /** Renders a parsed value back to the text that would parse to it. */
    String render(Object value) {
        return String.valueOf(value);
    }

    /** Whether a YAML sequence is accepted for this type. */
    boolean isList() {
        return false;
    }

    /** Whether the empty string is a valid "absent" value of this type (optional socket addresses). */
    boolean isOptional() {
        return false;
    }

    /** Parses the elements of a YAML sequence; only list types accept one. */
    Object parseList(List<String> items) {
        throw new IllegalArgumentException("must be a single value, not a list");
    }

    /** Free text without whitespace; empty allowed (its key documents what empty means). */
    public static ValueType token() {
        return new ValueType() {
            @Override
            public String rule() {
                return "string";
            }

            @Override
            Object parse(String text) {
                if (text.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("must not contain whitespace");
                }
                return text;
            }
        };
    }

    public static ValueType integer(int min, int max) {
        return new ValueType() {
            @Override
            public String rule() {
                return "int " + min + ".." + max;
            }

            @Override
            Object parse(String text) {
                final int value;
                try {
                    value = Integer.parseInt(text.replace("_", ""));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("must be an integer between " + min + " and " + max);
                }
                if (value < min || value > max) {
                    throw new IllegalArgumentException("must be between " + min + " and " + max);
                }
                return value;
            }
        };
    }

    /** Milliseconds: {@code 2000}, {@code 2000ms} or {@code 2s}; held as a {@code Long}. */
    public static ValueType durationMs(long minMs, long maxMs) {
        return new ValueType() {
            @Override
            public String rule() {
                return "ms " + minMs + ".." + maxMs;
            }

            @Override
            Object parse(String text) {
                String digits = text;
                long scale = 1;
                if (text.endsWith("ms")) {
                    digits = text.substring(0, text.length() - 2);
                } else if (text.endsWith("s")) {
                    digits = text.substring(0, text.length() - 1);
                    scale = 1000;
                }
                final long value;
                try {
                    value = Math.multiplyExact(Long.parseLong(digits.trim().replace("_", "")), scale);
                } catch (NumberFormatException | ArithmeticException e) {
                    throw new IllegalArgumentException(
                        "must be a duration in milliseconds (e.g. 200, 200ms or 2s) between " + minMs + " and "
                            + maxMs);
                }
                if (value < minMs || value > maxMs) {
                    throw new IllegalArgumentException("must be between " + minMs + " and " + maxMs + " ms");
                }
                return value;
            }
        };
    }

    public static ValueType bool() {
        return new ValueType() {
            @Override
            public String rule() {
                return "true|false";
            }

            @Override
            Object parse(String text) {
                // Strict on purpose: YAML 1.1's yes/no/on/off are read as text, not as booleans.
                switch (text.toLowerCase(Locale.ROOT)) {
                    case "true":
                        return Boolean.TRUE;
                    case "false":
                        return Boolean.FALSE;
                    default:
                        throw new IllegalArgumentException("must be true or false");
                }
            }
        };
    }

    /** One of a fixed set of words, matched without regard to case and held in its listed spelling. */
    public static ValueType oneOf(String... values) {
        List<String> allowed = List.of(values);
        return new ValueType() {
            @Override
            public String rule() {
                return String.join("|", allowed);
            }

            @Override
            Object parse(String text) {
                for (String candidate : allowed) {
                    if (candidate.equalsIgnoreCase(text)) {
                        return candidate;
                    }
                }
                throw new IllegalArgumentException("must be one of " + String.join(", ", allowed));
            }
        };
    }

    /** An IPv4 or IPv6 literal (no name: these addresses are bound or put into SDP). Held as text. */
    public static ValueType ipAddress() {
        return new ValueType() {
            @Override
            public String rule() {
                return "IP address";
            }

            @Override
            Object parse(String text) {
                return parseIp(text).getHostAddress();
            }
        };
    }

    /**
     * {@code host:port} or {@code [v6]:port} with an IP literal host; held as a resolved
     * {@link InetSocketAddress}, or as the empty string when {@code optional} and empty.
     *
     * @param minPort 0 for listening addresses (ephemeral port, used by tests), 1 for peers
     */
    public static ValueType socketAddress(boolean optional, int minPort) {
        return new ValueType() {
            @Override
            public String rule() {
                return (optional ? "host:port or empty" : "host:port") + (minPort == 0 ? " (port 0 = any)" : "");
            }

            @Override
            Object parse(String text) {
                if (text.isEmpty()) {
                    if (optional) {
                        return "";
                    }
                    throw new IllegalArgumentException("must be host:port");
                }
                return parseSocket(text, minPort);
            }

            @Override
            boolean isOptional() {
                return optional;
            }

            @Override
            String render(Object value) {
                return value instanceof InetSocketAddress ? format((InetSocketAddress) value) : String.valueOf(value);
            }
        };
    }

    /**
     * A list of elements of another type: comma-separated text on {@code --set}, a YAML sequence or a
     * comma-separated string in the file. Held as an unmodifiable {@code List<String>} of the
     * elements' canonical text.
     */
    public static ValueType listOf(ValueType element) {
        return new ValueType() {
            @Override
            public String rule() {
                return "list of " + element.rule() + ", comma-separated";
            }

            @Override
            Object parse(String text) {
                List<String> items = new ArrayList<>();
                for (String part : text.split(",")) {
                    String item = part.trim();
                    if (!item.isEmpty()) {
                        items.add(item);
                    }
                }
                return parseList(items);
            }

            @Override
            Object parseList(List<String> items) {
                List<String> out = new ArrayList<>(items.size());
                for (String item : items) {
                    try {
                        out.add(element.render(element.parse(item.trim())));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("element '" + item + "' " + e.getMessage());
                    }
                }
                return Collections.unmodifiableList(out);
            }

            @Override
            String render(Object value) {
                return ((List<?>) value).stream().map(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(","));
            }

            @Override
            boolean isList() {
                return true;
            }
        };
    }

    /** {@code NAME=host:port}, a named peer such as a gateway known to the call server. */
    public static ValueType namedSocketAddress() {
        return new ValueType() {
            @Override
            public String rule() {
                return "NAME=host:port";
            }

            @Override
            Object parse(String text) {
                int eq = text.indexOf('=');
                if (eq <= 0 || !NAME.matcher(text.substring(0, eq).trim()).matches()) {
                    throw new IllegalArgumentException(
                        "must be NAME=host:port with NAME of letters, digits, '_' or '-'");
                }
                return text.substring(0, eq).trim() + "=" + format(parseSocket(text.substring(eq + 1).trim(), 1));
            }
        };
    }

    static InetAddress parseIp(String text) {
        String host = text;
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        // Only literals reach InetAddress.getByName, so it never does a DNS lookup.
        if (!IPV4.matcher(host).matches() && !(host.contains(":") && host.matches("[0-9A-Fa-f:.%a-zA-Z]+"))) {
            throw new IllegalArgumentException("must be an IPv4 or IPv6 address literal");
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("must be an IPv4 or IPv6 address literal");
        }
    }

    static InetSocketAddress parseSocket(String text, int minPort) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("must be host:port (IPv6 as [addr]:port)");
        }
        String host = text.substring(0, colon);
        if (host.contains(":") && !(host.startsWith("[") && host.endsWith("]"))) {
            throw new IllegalArgumentException("must be host:port (IPv6 as [addr]:port)");
        }
        final int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number between " + minPort + " and 65535");
        }
        if (port < minPort || port > 65535) {
            throw new IllegalArgumentException("port must be between " + minPort + " and 65535");
        }
        final InetAddress address;
        try {
            address = parseIp(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("host " + e.getMessage());
        }
        return new InetSocketAddress(address, port);
    }

    /** {@code 127.0.0.1:2944}, {@code [::1]:2944}: the form {@link #socketAddress} parses. */
    public static String format(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** Names must be unique across a list of NAME=... entries. */
    static void requireUniqueNames(List<String> entries) {
        Set<String> seen = new HashSet<>();
        for (String entry : entries) {
            String name = entry.substring(0, entry.indexOf('='));
            if (!seen.add(name)) {
                throw new IllegalArgumentException("name '" + name + "' appears twice");
            }
        }
    }
}
