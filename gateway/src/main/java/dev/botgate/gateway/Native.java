package dev.botgate.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where native libraries are unpacked: under the data directory, never a shared {@code /tmp} path that another user
 * could plant a library in, nor one that fills with a copy per start (llama.cpp, onnxruntime, sqlite-jdbc, DJL's
 * tokenizer library, JNA).
 *
 * <p>Call {@link #configure} before any of those libraries loads: each reads its setting once, at its first load.
 * onnxruntime extracts its libraries into a fresh directory under {@code java.io.tmpdir} at every start unless
 * {@code onnxruntime.native.path} names a folder that holds them, so they are copied once into
 * {@code native/onnxruntime} here and loaded from there. The JDK reads {@code java.io.tmpdir} only at JVM start, so the
 * launcher sets it to {@code $BOTGATE_HOME/tmp}; what onnxruntime still creates there (an empty folder, removed at a
 * normal exit) is cleared here at the next start when a kill left it behind. sqlite-jdbc, likewise, loads one copy
 * from {@code native/sqlite} instead of extracting a new one per start.
 */
public final class Native {
    private static final System.Logger LOG = System.getLogger(Native.class.getName());
    private static final List<String> ORT_LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");

    private Native() {
    }

    /** Points every native-library and cache location under {@code home/native}, unless set already. */
    public static void configure(Path home) {
        DataDirectory.secure(home);
        Path dir = home.resolve("native");
        DataDirectory.createPrivateDirectory(dir);
        setIfAbsent("de.kherud.llama.tmpdir", dir);
        setIfAbsent("jna.tmpdir", dir.resolve("jna"));
        setIfAbsent("DJL_CACHE_DIR", dir.resolve("djl"));
        setIfAbsent("ENGINE_CACHE_DIR", dir.resolve("djl"));
        setIfAbsent("pdfbox.fontcache", dir);
        Path sqlite = dir.resolve("sqlite");
        DataDirectory.createPrivateDirectory(sqlite);
        setIfAbsent("org.sqlite.tmpdir", sqlite);
        if (System.getProperty("org.sqlite.lib.path") == null) {
            unpackSqlite(sqlite);
        }
        if (System.getProperty("onnxruntime.native.path") == null) {
            unpackOnnxRuntime(dir.resolve("onnxruntime"));
        }
        clearStaleTemp(home.resolve("tmp"));
    }

    /**
     * Copies onnxruntime's libraries for this platform from its jar into {@code target} (once; again only when the jar
     * holds other bytes) and points onnxruntime there. Left to onnxruntime's own extraction when the jar has none for
     * this platform.
     */
    static void unpackOnnxRuntime(Path target) {
        String folder = "/ai/onnxruntime/native/" + ortPlatform() + "/";
        for (String name : ORT_LIBRARIES) {
            if (!unpack(folder + System.mapLibraryName(name), target.resolve(System.mapLibraryName(name)))) {
                return; // not packaged for this platform (or onnxruntime absent): its own loader decides
            }
        }
        System.setProperty("onnxruntime.native.path", target.toAbsolutePath().toString());
    }

    /**
     * sqlite-jdbc extracts a fresh copy of its library at every start and leaves it behind when the JVM is killed;
     * one copy here, loaded through {@code org.sqlite.lib.path}, does neither.
     */
    static void unpackSqlite(Path target) {
        String name;
        String folder;
        try {
            name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
            folder = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath();
        } catch (RuntimeException | LinkageError e) {
            return; // an unknown platform: sqlite-jdbc's own loader decides (into org.sqlite.tmpdir)
        }
        if (unpack(folder + "/" + name, target.resolve(name))) {
            System.setProperty("org.sqlite.lib.path", target.toAbsolutePath().toString());
            System.setProperty("org.sqlite.lib.name", name);
        }
    }

    /**
     * Copies a classpath resource to {@code out} unless it holds the same bytes already; false when there is no such
     * resource.
     */
    private static boolean unpack(String resource, Path out) {
        try {
            byte[] bytes;
            try (InputStream in = Native.class.getResourceAsStream(resource)) {
                if (in == null) {
                    return false;
                }
                bytes = in.readAllBytes();
            }
            DataDirectory.createPrivateDirectory(out.getParent());
            if (Files.isRegularFile(out) && Files.size(out) == bytes.length
                    && Arrays.equals(Files.readAllBytes(out), bytes)) {
                return true;
            }
            // Write beside, then rename: another Botgate process may be loading the old copy right now.
            Path part = Files.createTempFile(out.getParent(), out.getFileName().toString(), ".part");
            Files.write(part, bytes);
            Files.move(part, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the native library " + resource + " into " + out, e);
        }
    }

    /** onnxruntime's name for this platform's resource folder. */
    private static String ortPlatform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch;
        return o + "-" + a;
    }

    /** Removes the empty folders that onnxruntime leaves in the temp directory when the JVM is killed. */
    private static void clearStaleTemp(Path tmp) {
        if (!Files.isDirectory(tmp)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "onnxruntime-java*")) {
            for (Path d : dirs) {
                try (DirectoryStream<Path> inside = Files.newDirectoryStream(d)) {
                    if (!inside.iterator().hasNext()) {
                        Files.deleteIfExists(d);
                    }
                } catch (IOException e) {
                    LOG.log(Level.DEBUG, "leaving " + d + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "cannot list " + tmp + ": " + e.getMessage());
        }
    }

    private static void setIfAbsent(String key, Path value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value.toAbsolutePath().toString());
        }
    }
}
