package dev.botgate.knowledge.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** One real embedding model per test JVM: loading it takes about a second and 100 MB. */
final class TestModel {
    private static BgeEmbedder embedder;
    private static final List<Path> TEMP_DIRS = new ArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestModel::deleteTempDirs));
    }

    private TestModel() {
    }

    static synchronized BgeEmbedder embedder() {
        if (embedder == null) {
            embedder = BgeEmbedder.load(Path.of(System.getProperty("java.io.tmpdir"), "botgate-test-native"));
        }
        return embedder;
    }

    /** A temporary directory removed when the test JVM exits. */
    static synchronized Path tempDir(String prefix) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            TEMP_DIRS.add(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static synchronized void deleteTempDirs() {
        for (Path dir : TEMP_DIRS) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // best effort: the OS cleans its temp directory eventually
            }
        }
    }
}
