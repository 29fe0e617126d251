package io.hopgate.rtp.sdp;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of {@link SessionDescription#parse(String)}: only {@link SdpException} may escape, and
 * whatever parses must format to text that parses back to an equal description. Under plain
 * {@code mvn verify} Jazzer only replays the regression inputs; run with {@code JAZZER_FUZZ=1} to fuzz.
 */
class SdpFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void shouldParseAnyTextWithoutUnexpectedException(final byte[] data) {
        SessionDescriptionTest.parseAndReformat(new String(data, StandardCharsets.UTF_8));
    }
}
