package io.hopgate.control.ng;

import io.hopgate.control.ng.Bencode.BList;
import io.hopgate.control.ng.Bencode.BencodeException;
import io.hopgate.control.ng.Bencode.Bytes;
import io.hopgate.control.ng.Bencode.Dict;
import io.hopgate.control.ng.Bencode.Int;
import io.hopgate.control.ng.Bencode.Value;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BencodeTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldDecodeRtpenginesPingExample() throws Exception {
        Value v = Bencode.decode(ascii("d7:command4:pinge"));
        assertThat(v).isEqualTo(Bencode.dict().put("command", "ping").build());
    }

    @Test
    void shouldRoundTripEveryKind() throws Exception {
        Dict d = Bencode.dict()
            .put("command", "offer")
            .put("empty", "")
            .put("n", 0)
            .put("neg", -42)
            .put("big", 999_999_999_999_999_999L)
            .put("flags", List.of("trust-address", "ICE=remove"))
            .put("nested", Map.of("list", List.of(List.of(), List.of(1, "x"))))
            .put("binary", new byte[] {0, (byte) 0xFF, ' ', 'e', ':'})
            .build();
        byte[] wire = Bencode.encode(d);
        assertThat(Bencode.decode(wire)).isEqualTo(d);
        assertThat(Bencode.encode(Bencode.decode(wire))).isEqualTo(wire);
    }

    @Test
    void shouldKeepArrivalOrderOfUnsortedKeys() throws Exception {
        // rtpengine and Kamailio do not sort keys; decoding must accept and keep their order.
        byte[] wire = ascii("d7:command5:offer7:call-id3:abc8:from-tag1:t3:sdp0:e");
        Dict d = (Dict) Bencode.decode(wire);
        assertThat(d.entries().keySet()).extracting(Bytes::text).containsExactly("command", "call-id", "from-tag",
            "sdp");
        assertThat(Bencode.encode(d)).isEqualTo(wire);
    }

    @Test
    void shouldTreatStringsAsBytesNotText() throws Exception {
        byte[] wire = {'3', ':', (byte) 0xC3, (byte) 0x28, 0};
        Bytes b = (Bytes) Bencode.decode(wire);
        assertThat(b.bytes()).containsExactly((byte) 0xC3, (byte) 0x28, 0);
        assertThat(Bencode.encode(b)).isEqualTo(wire);
    }

    @Test
    void shouldRoundTripRandomValuesWithAFixedSeed() throws Exception {
        Random random = new Random(20261207);
        for (int i = 0; i < 500; i++) {
            Value v = random(random, 0);
            assertThat(Bencode.decode(Bencode.encode(v))).isEqualTo(v);
        }
    }

    private static Value random(Random r, int depth) {
        int kind = depth > 4 ? r.nextInt(2) : r.nextInt(4);
        switch (kind) {
            case 0: {
                byte[] b = new byte[r.nextInt(20)];
                r.nextBytes(b);
                return new Bytes(b);
            }
            case 1:
                return new Int(r.nextInt(3) == 0 ? r.nextLong() % 1_000_000_000_000_000_000L : r.nextInt(100) - 50);
            case 2: {
                List<Value> items = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    items.add(random(r, depth + 1));
                }
                return new BList(items);
            }
            default: {
                Map<Bytes, Value> entries = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    entries.put(Bytes.of("k" + r.nextInt(1000)), random(r, depth + 1));
                }
                return new Dict(entries);
            }
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // input                          | the error names
        "''                               | truncated: a value was expected",
        "d7:command4:ping                 | truncated dictionary",            // no closing e
        "d7:command4:pin                  | string length 4 exceeds the 3 bytes left",
        "l1:a                             | truncated list",
        "i42                              | truncated integer",
        "i4x2e                            | in integer",
        "ie                               | integer without digits",
        "i-e                              | integer without digits",
        "i042e                            | leading zero",
        "i-0e                             | integer -0",
        "i1234567890123456789e            | longer than 18 digits",           // would overflow a long
        "99999999999999999999:x           | longer than 18 digits",           // huge length
        "999999999:x                      | string length 999999999 exceeds", // length beyond the datagram
        "-1:x                             | unexpected byte 0x2d",
        "03:abc                           | leading zero",
        "4:spamX                          | 1 bytes left after the value",
        "d4:spami1ee4:more                | bytes left after the value",
        "di1e4:spame                      | dictionary key must be a byte string",
        "d1:ai1e1:ai2ee                   | duplicate dictionary key",
        "x                                | unexpected byte 0x78",
        "d1:a                             | truncated: a value was expected",
    })
    void shouldRejectMalformedInputWithAReason(String input, String reason) {
        assertThatThrownBy(() -> Bencode.decode(ascii(input)))
            .isInstanceOf(BencodeException.class)
            .hasMessageContaining(reason.trim());
    }

    @Test
    void shouldRejectNestingDeeperThanTheLimit() throws Exception {
        String ok = "l".repeat(Bencode.MAX_DEPTH) + "e".repeat(Bencode.MAX_DEPTH);
        assertThat(Bencode.decode(ascii(ok))).isInstanceOf(BList.class);
        String deep = "l".repeat(Bencode.MAX_DEPTH + 1) + "e".repeat(Bencode.MAX_DEPTH + 1);
        assertThatThrownBy(() -> Bencode.decode(ascii(deep))).hasMessageContaining("nesting deeper than 32");
        String veryDeep = "d1:a".repeat(100_000); // would overflow the stack of a recursive decoder without a limit
        assertThatThrownBy(() -> Bencode.decode(ascii(veryDeep))).hasMessageContaining("nesting deeper than 32");
    }

    @Test
    void shouldRejectMoreValuesThanTheLimit() {
        String many = "l" + "i1e".repeat(Bencode.MAX_ITEMS) + "e";
        assertThatThrownBy(() -> Bencode.decode(ascii(many))).hasMessageContaining("more than 65536 values");
    }

    @Test
    void shouldDecodeOnlyTheGivenRange() throws Exception {
        byte[] datagram = ascii("cookie_1 d7:command4:pinge");
        assertThat(text(Bencode.encode(Bencode.decode(datagram, 9, datagram.length - 9))))
            .isEqualTo("d7:command4:pinge");
    }
}
