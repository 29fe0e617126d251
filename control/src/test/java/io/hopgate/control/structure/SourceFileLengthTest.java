package io.hopgate.control.structure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No main source file of any module is longer than {@value #MAX_LINES} lines: past that a class does more than one
 * thing a reviewer can hold at once. Nothing is allowlisted.
 */
class SourceFileLengthTest {
    static final int MAX_LINES = 600;
    private static final List<String> MODULES = List.of("rtp", "media-plane", "control", "bench");

    /** The reactor root: surefire runs with the module directory (control/) as basedir. */
    private static Path projectRoot() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        return module.getParent();
    }

    static Map<Path, Integer> longFiles(Path root, int maxLines) {
        Map<Path, Integer> tooLong = new TreeMap<>();
        for (String module : MODULES) {
            Path sources = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(sources)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(sources)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                    int lines = lineCount(file);
                    if (lines > maxLines) {
                        tooLong.put(root.relativize(file), lines);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot walk " + sources, e);
            }
        }
        return tooLong;
    }

    private static int lineCount(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return (int) lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Test
    void shouldKeepEveryMainSourceFileWithinTheLineLimit() {
        Path root = projectRoot();
        assertThat(root.resolve("control/src/main/java")).as("control sources under " + root).isDirectory();
        assertThat(longFiles(root, MAX_LINES)).as("main source files over " + MAX_LINES + " lines").isEmpty();
    }

    @Test
    void shouldNameAFileThatIsOverTheLimit() {
        // The check must be able to fail: with a limit of 1 line every file is too long, this test's module included.
        assertThat(longFiles(projectRoot(), 1))
            .containsKey(Path.of("control/src/main/java/io/hopgate/control/Main.java"));
    }
}
