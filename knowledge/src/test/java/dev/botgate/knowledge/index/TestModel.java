package dev.botgate.knowledge.index;

import java.nio.file.Path;

/** One real embedding model per test JVM: loading it takes about a second and 100 MB. */
final class TestModel {
    private static BgeEmbedder embedder;

    private TestModel() {
    }

    static synchronized BgeEmbedder embedder() {
        if (embedder == null) {
            embedder = BgeEmbedder.load(Path.of(System.getProperty("java.io.tmpdir"), "botgate-test-native"));
        }
        return embedder;
    }
}
