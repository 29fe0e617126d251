package io.hopgate.control.h248;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Loads text fixtures from {@code src/test/resources/h248/}. */
final class Fixtures {
    private Fixtures() {
    }

    static String load(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/h248/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture /h248/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
