package dev.botgate.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where native libraries are unpacked: under the data directory, never a fixed {@code /tmp} path that another user
 * could plant a library in (llama.cpp, onnxruntime's and DJL's tokenizer libraries, JNA).
 */
public final class Native {
    private Native() {
    }

    /** Points every native-library and cache location under {@code home/native}, unless set already. */
    public static void configure(Path home) {
        Path dir = home.resolve("native");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        setIfAbsent("de.kherud.llama.tmpdir", dir);
        setIfAbsent("jna.tmpdir", dir);
        setIfAbsent("DJL_CACHE_DIR", dir.resolve("djl"));
        setIfAbsent("ENGINE_CACHE_DIR", dir.resolve("djl"));
        setIfAbsent("pdfbox.fontcache", dir);
    }

    private static void setIfAbsent(String key, Path value) {
        if (value != null && System.getProperty(key) == null) {
            System.setProperty(key, value.toString());
        }
    }
}
