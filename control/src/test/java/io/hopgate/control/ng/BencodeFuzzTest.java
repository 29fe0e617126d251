package io.hopgate.control.ng;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.Arrays;

/**
 * Coverage-guided fuzzing of the bencode decoder and, on whatever it accepts, the encoder. In a normal
 * {@code mvn verify} Jazzer only replays the inputs under
 * {@code src/test/resources/io/hopgate/control/ng/BencodeFuzzTestInputs/}; run with {@code JAZZER_FUZZ=1} to fuzz.
 * Only {@link Bencode.BencodeException} may leave the decoder, and an accepted input must encode back to itself
 * (bencode has one spelling per value; the decoder refuses the others).
 */
class BencodeFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void shouldOnlyThrowBencodeExceptionAndRoundTripWhatItAccepts(byte[] data) {
        Bencode.Value v;
        try {
            v = Bencode.decode(data);
        } catch (Bencode.BencodeException expected) {
            return;
        }
        byte[] again = Bencode.encode(v);
        if (!Arrays.equals(again, data)) {
            throw new AssertionError("round trip changed the input: " + Arrays.toString(data));
        }
    }
}
