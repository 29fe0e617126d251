package io.hopgate.control.h248;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Mutates valid messages with a fixed seed: the parser either reads them or throws MegacoSyntaxException. */
class MessageParserRandomTest {
    private static final long SEED = 0x248_3525L;
    private static final String ALPHABET = "{}=,\";\n \t[]<>:/-$*0123456789AaTtCcLRM!\\\u00e9\u0000";

    private static List<String> corpus() {
        List<String> out = new ArrayList<>();
        for (Message m : Samples.all()) {
            out.add(MegacoWriter.pretty().write(m));
            out.add(MegacoWriter.compact().write(m));
        }
        for (String f : List.of("bench-add-pretty.txt", "bench-add-compact.txt", "bench-modify-topology-compact.txt",
                "bench-auditvalue-pretty.txt", "bench-ack-compact.txt")) {
            out.add(Fixtures.load(f));
        }
        return out;
    }

    static String mutate(Random rnd, String s) {
        StringBuilder sb = new StringBuilder(s);
        int edits = 1 + rnd.nextInt(4);
        for (int k = 0; k < edits; k++) {
            int at = sb.length() == 0 ? 0 : rnd.nextInt(sb.length());
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    if (sb.length() > 0) {
                        sb.deleteCharAt(at);
                    }
                }
                case 1 -> sb.insert(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                case 2 -> {
                    if (sb.length() > 0) {
                        sb.setCharAt(at, ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
                    }
                }
                case 3 -> sb.setLength(at);                                    // truncated datagram
                default -> {
                    int len = Math.min(sb.length() - at, 1 + rnd.nextInt(40));   // duplicate a slice
                    sb.insert(at, sb.substring(at, at + len));
                }
            }
        }
        return sb.toString();
    }

    @Test
    void shouldOnlyEverThrowSyntaxExceptionOnMutatedMessages() {
        Random rnd = new Random(SEED);
        List<String> corpus = corpus();
        int[] outcomes = new int[2];
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 30_000; i++) {
                String text = mutate(rnd, corpus.get(rnd.nextInt(corpus.size())));
                try {
                    Message m = MessageParser.parse(text);
                    outcomes[0]++;
                    // whatever was read can be written and read back to the same model
                    for (MegacoWriter w : List.of(MegacoWriter.pretty(), MegacoWriter.compact())) {
                        assertThat(MessageParser.parse(w.write(m))).as(text).isEqualTo(m);
                    }
                } catch (MegacoSyntaxException e) {
                    outcomes[1]++;
                    assertThat(e.offset()).isBetween(0, text.length());
                } catch (RuntimeException | Error e) {
                    fail("input " + i + " threw " + e + " for:\n" + text, e);
                }
            }
        });
        assertThat(outcomes[0]).isPositive();
        assertThat(outcomes[1]).isPositive();
    }
}
