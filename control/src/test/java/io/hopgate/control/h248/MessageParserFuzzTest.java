package io.hopgate.control.h248;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;

/**
 * Coverage-guided fuzzing of the parser (and of the writer on whatever it accepts). In a normal
 * {@code mvn verify} Jazzer only replays the inputs under
 * {@code src/test/resources/io/hopgate/control/h248/MessageParserFuzzTestInputs/}; run with
 * {@code JAZZER_FUZZ=1} to fuzz. Only {@link MegacoSyntaxException} may leave the parser.
 */
class MessageParserFuzzTest {

    @FuzzTest(maxDuration = "45s")
    void shouldOnlyThrowSyntaxExceptionForAnyDatagram(byte[] data) {
        Message m;
        try {
            m = MessageParser.parse(data, data.length);
        } catch (MegacoSyntaxException expected) {
            return;
        }
        for (MegacoWriter w : List.of(MegacoWriter.pretty(), MegacoWriter.compact())) {
            Message again = MessageParser.parse(w.write(m));
            if (!again.equals(m)) {
                throw new AssertionError("round trip changed the message:\n" + w.write(m));
            }
        }
    }
}
