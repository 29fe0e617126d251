package io.hopgate.control.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

class ConfigTest {
    private static final Path SAMPLE = Path.of("..", "config", "hopgate.yaml");

    @TempDir
    Path dir;

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("hopgate.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void shouldListEveryKeyOfTheTableInTheSampleConfig() {
        Set<String> sampleKeys = new TreeSet<>();
        flatten("", new Yaml().load(readSample()), sampleKeys);

        assertThat(sampleKeys).isEqualTo(new TreeSet<>(ConfigKey.keys()));
    }

    @Test
    void shouldGiveTheTableDefaultsWhenLoadingTheSampleConfig() {
        Config sample = Config.load(SAMPLE, List.of());

        assertThat(sample).isEqualTo(Config.defaults());
    }

    @Test
    void shouldUseDocumentedDefaults() {
        Config config = Config.defaults();

        assertThat(config.socketAddress(ConfigKey.CONTROL_LISTEN)).isEqualTo(new InetSocketAddress("127.0.0.1", 2944));
        assertThat(config.gatewayMid()).isEqualTo("[127.0.0.1]:2944");
        assertThat(config.list(ConfigKey.CONTROL_ALLOWED_PEERS)).isEmpty();
        assertThat(config.optionalSocketAddress(ConfigKey.CONTROL_MGC)).isEmpty();
        assertThat(config.durationMs(ConfigKey.CONTROL_REPLY_CACHE_MS)).isEqualTo(30_000L);
        assertThat(config.integer(ConfigKey.MEDIA_PORT_MIN)).isEqualTo(30_000);
        assertThat(config.integer("media.port-max")).isEqualTo(39_999);
        assertThat(config.string(ConfigKey.MEDIA_CONTINUITY)).isEqualTo("rewrite");
        assertThat(config.bool(ConfigKey.MEDIA_LATCH)).isFalse();
        assertThat(config.socketAddress(ConfigKey.ADMIN_LISTEN).getPort()).isEqualTo(9090);
        assertThat(config.load()).isEqualTo(new LoadSettings(100, 50, 10, new InetSocketAddress("127.0.0.1", 2944)));
        assertThat(config.string(ConfigKey.LOG_LEVEL)).isEqualTo("INFO");
    }

    @Test
    void shouldFlattenNestedYamlMaps() throws IOException {
        Config config = Config.load(yaml("""
            media:
              port-min: 40000
              port-max: 40999
              latch: true
            callserver:
              sip:
                listen: 127.0.0.1:5070
            """), List.of());

        assertThat(config.media().portMin()).isEqualTo(40_000);
        assertThat(config.media().portMax()).isEqualTo(40_999);
        assertThat(config.media().latch()).isTrue();
        assertThat(config.callServer().sipListen()).isEqualTo(new InetSocketAddress("127.0.0.1", 5070));
        assertThat(config.origin(ConfigKey.MEDIA_PORT_MIN)).endsWith("hopgate.yaml");
    }

    @Test
    void shouldLetSetWinOverTheFile() throws IOException {
        Config config = Config.load(yaml("media: { port-min: 40000 }\n"),
            List.of("media.port-min=32000", "media.port-min=34000"));

        assertThat(config.integer(ConfigKey.MEDIA_PORT_MIN)).isEqualTo(34_000);
        assertThat(config.origin(ConfigKey.MEDIA_PORT_MIN)).isEqualTo("--set");
    }

    @Test
    void shouldReadListsFromYamlSequencesCommaStringsAndSet() throws IOException {
        Config fromSequence = Config.load(yaml("control:\n  allowed-peers: [127.0.0.1, 10.0.0.5]\n"), List.of());
        Config fromString = Config.load(yaml("control:\n  allowed-peers: \"127.0.0.1, 10.0.0.5\"\n"), List.of());
        Config fromSet = Config.load(null, List.of("control.allowed-peers=127.0.0.1,10.0.0.5"));

        assertThat(fromSequence.list(ConfigKey.CONTROL_ALLOWED_PEERS)).containsExactly("127.0.0.1", "10.0.0.5");
        assertThat(fromString).isEqualTo(fromSequence);
        assertThat(fromSet).isEqualTo(fromSequence);
        assertThat(Config.load(null, List.of("control.allowed-peers=")).list(ConfigKey.CONTROL_ALLOWED_PEERS))
            .isEmpty();
    }

    @Test
    void shouldParseCallServerGatewaysInOrder() {
        Config config = Config.load(null, List.of("callserver.gateways=G1=127.0.0.1:2944,G2=127.0.0.1:2954"));

        assertThat(config.gateways()).containsExactly(
            Map.entry("G1", new InetSocketAddress("127.0.0.1", 2944)),
            Map.entry("G2", new InetSocketAddress("127.0.0.1", 2954)));
        assertThat(config.text(ConfigKey.CALLSERVER_GATEWAYS)).isEqualTo("G1=127.0.0.1:2944,G2=127.0.0.1:2954");
    }

    @Test
    void shouldRejectGatewayNamedTwice() {
        assertThatThrownBy(() -> Config.load(null, List.of("callserver.gateways=G1=127.0.0.1:2944,G1=127.0.0.1:2954")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("callserver.gateways")
            .hasMessageContaining("'G1' appears twice");
    }

    @Test
    void shouldNameKeyValueAndRuleWhenIntegerIsOutOfRange() {
        assertThatThrownBy(() -> Config.load(null, List.of("media.port-max=70000")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("media.port-max=70000: must be between 1024 and 65535 (in --set)");
    }

    @Test
    void shouldNameKeyAndFileWhenValueInFileIsBad() throws IOException {
        Path file = yaml("media:\n  port-min: abc\n");

        assertThatThrownBy(() -> Config.load(file, List.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("media.port-min=abc: must be an integer")
            .hasMessageContaining(file.toString());
    }

    @Test
    void shouldSuggestTheClosestKeyForATypo() throws IOException {
        Path file = yaml("media:\n  prot-min: 30000\n");

        assertThatThrownBy(() -> Config.load(file, List.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessage("unknown key 'media.prot-min' in " + file + "; did you mean 'media.port-min'?");
    }

    @Test
    void shouldListKnownKeysWhenNothingIsClose() {
        assertThatThrownBy(() -> Config.load(null, List.of("completely.different=1")))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("unknown key 'completely.different' in --set completely.different=1; known keys: ")
            .hasMessageContaining("media.port-min");
    }

    @Test
    void shouldRejectSetWithoutEquals() {
        assertThatThrownBy(() -> Config.load(null, List.of("media.port-min")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("--set expects key=value, got 'media.port-min'");
    }

    @Test
    void shouldRejectOddPortMin() {
        assertThatThrownBy(() -> Config.load(null, List.of("media.port-min=30001")))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("media.port-min=30001: must be even");
    }

    @Test
    void shouldRejectPortMinNotBelowPortMax() {
        assertThatThrownBy(() -> Config.load(null, List.of("media.port-min=40000", "media.port-max=40000")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("media.port-min=40000, media.port-max=40000");
    }

    @Test
    void shouldRejectBadValuesOfEachType() {
        assertThatThrownBy(() -> Config.load(null, List.of("media.latch=yes")))
            .hasMessage("media.latch=yes: must be true or false (in --set)");
        assertThatThrownBy(() -> Config.load(null, List.of("media.continuity=mangle")))
            .hasMessage("media.continuity=mangle: must be one of rewrite, passthrough (in --set)");
        assertThatThrownBy(() -> Config.load(null, List.of("control.listen=localhost:2944")))
            .hasMessageStartingWith("control.listen=localhost:2944: host must be an IPv4 or IPv6 address literal");
        assertThatThrownBy(() -> Config.load(null, List.of("control.listen=127.0.0.1")))
            .hasMessageStartingWith("control.listen=127.0.0.1: must be host:port");
        assertThatThrownBy(() -> Config.load(null, List.of("control.mgc=127.0.0.1:0")))
            .hasMessageStartingWith("control.mgc=127.0.0.1:0: port must be between 1 and 65535");
        assertThatThrownBy(() -> Config.load(null, List.of("control.allowed-peers=127.0.0.1,nope")))
            .hasMessageStartingWith("control.allowed-peers=127.0.0.1,nope: element 'nope' must be an IPv4 or IPv6");
        assertThatThrownBy(() -> Config.load(null, List.of("media.dual-receive-ms=-1")))
            .hasMessageStartingWith("media.dual-receive-ms=-1: must be between 0 and 60000 ms");
        assertThatThrownBy(() -> Config.load(null, List.of("gateway.mid=a b")))
            .hasMessageStartingWith("gateway.mid=a b: must not contain whitespace");
    }

    @Test
    void shouldRejectAListWhereASingleValueIsExpected() throws IOException {
        Path file = yaml("media:\n  port-min: [1, 2]\n");

        assertThatThrownBy(() -> Config.load(file, List.of()))
            .hasMessageContaining("media.port-min").hasMessageContaining("must be a single value");
    }

    @Test
    void shouldRejectAKeySetTwiceInOneFile() throws IOException {
        Path file = yaml("media:\n  port-min: 30000\nmedia.port-min: 30002\n");

        assertThatThrownBy(() -> Config.load(file, List.of()))
            .hasMessage("key 'media.port-min' is set twice in " + file);
    }

    @Test
    void shouldNameLineOfYamlSyntaxError() throws IOException {
        Path file = yaml("media:\n  port-min: 30000\n   bad: [\n");

        assertThatThrownBy(() -> Config.load(file, List.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("cannot parse " + file + " at line ")
            .hasMessageNotContaining("\n");
    }

    @Test
    void shouldNameAMissingFile() {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> Config.load(missing, List.of()))
            .hasMessage("config file " + missing + " does not exist");
    }

    @Test
    void shouldKeepYaml11WordsAsText() throws IOException {
        // YAML 1.1 reads OFF as boolean false; the option table must see the word.
        Config config = Config.load(yaml("log:\n  level: OFF\nmedia:\n  latch: true\n"), List.of());

        assertThat(config.string(ConfigKey.LOG_LEVEL)).isEqualTo("OFF");
        assertThat(config.bool(ConfigKey.MEDIA_LATCH)).isTrue();
    }

    @Test
    void shouldTreatEmptyAndNullYamlValuesAsEmpty() throws IOException {
        Config config = Config.load(yaml("admin:\n  listen:\ncontrol:\n  mgc: ~\n"), List.of());

        assertThat(config.optionalSocketAddress(ConfigKey.ADMIN_LISTEN)).isEmpty();
        assertThat(config.isEmpty(ConfigKey.CONTROL_MGC)).isTrue();
        assertThatThrownBy(() -> config.socketAddress(ConfigKey.ADMIN_LISTEN))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldAcceptEmptyFile() throws IOException {
        assertThat(Config.load(yaml(""), List.of())).isEqualTo(Config.defaults());
    }

    @Test
    void shouldParseIpv6AndDurationsWithUnits() {
        Config config = Config.load(null, List.of("control.listen=[::1]:2944", "media.dual-receive-ms=3s",
            "control.pending-after-ms=150ms", "media.continuity=PASSTHROUGH", "log.level=debug"));

        assertThat(config.socketAddress(ConfigKey.CONTROL_LISTEN)).isEqualTo(new InetSocketAddress("::1", 2944));
        assertThat(config.text(ConfigKey.CONTROL_LISTEN)).isEqualTo("[0:0:0:0:0:0:0:1]:2944");
        assertThat(config.gatewayMid()).isEqualTo("[0:0:0:0:0:0:0:1]:2944");
        assertThat(config.durationMs(ConfigKey.MEDIA_DUAL_RECEIVE_MS)).isEqualTo(3000L);
        assertThat(config.durationMs(ConfigKey.CONTROL_PENDING_AFTER_MS)).isEqualTo(150L);
        assertThat(config.string(ConfigKey.MEDIA_CONTINUITY)).isEqualTo("passthrough");
        assertThat(config.string(ConfigKey.LOG_LEVEL)).isEqualTo("DEBUG");
    }

    @Test
    void shouldAcceptPortZeroOnlyForListeningAddresses() {
        assertThat(Config.load(null, List.of("admin.listen=127.0.0.1:0")).socketAddress(ConfigKey.ADMIN_LISTEN)
            .getPort())
            .isZero();
        assertThatThrownBy(() -> Config.load(null, List.of("load.gateway=127.0.0.1:0")))
            .hasMessageStartingWith("load.gateway=127.0.0.1:0");
    }

    @Test
    void shouldRefuseAccessorOfTheWrongType() {
        assertThatThrownBy(() -> Config.defaults().integer(ConfigKey.MEDIA_ADDRESS))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("media.address");
        assertThatThrownBy(() -> Config.defaults().string("no.such.key"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("no.such.key");
    }

    @Test
    void shouldDescribeEveryKeyWithRuleAndDefault() {
        String table = Config.describe();

        for (ConfigKey key : ConfigKey.values()) {
            assertThat(table).contains(key.key()).contains(key.description());
        }
        assertThat(table).contains("media.port-min  (int 1024..65535; default 30000)");
    }

    @Test
    void shouldRoundTripEveryValueThroughItsText() {
        Config config = Config.load(SAMPLE, List.of("callserver.gateways=G1=127.0.0.1:2944",
            "control.allowed-peers=127.0.0.1,::1", "control.mgc=[::1]:2944"));
        List<String> sets = ConfigKeyTexts.of(config);

        assertThat(Config.load(null, sets)).isEqualTo(config);
    }

    private String readSample() {
        try {
            return Files.readString(SAMPLE);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + SAMPLE.toAbsolutePath(), e);
        }
    }

    private static void flatten(String prefix, Map<?, ?> map, Set<String> out) {
        map.forEach((key, value) -> {
            if (value instanceof Map) {
                flatten(prefix + key + ".", (Map<?, ?>) value, out);
            } else {
                out.add(prefix + key);
            }
        });
    }

    /** Every key as the --set text that reproduces it. */
    private static final class ConfigKeyTexts {
        static List<String> of(Config config) {
            return java.util.Arrays.stream(ConfigKey.values()).map(key -> key.key() + "=" + config.text(key)).toList();
        }
    }
}
