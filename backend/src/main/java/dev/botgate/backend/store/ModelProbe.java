package dev.botgate.backend.store;

import dev.botgate.backend.store.ModelRefusedException.Reason;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Loads a new model file once with llama.cpp in a short-lived child JVM ({@link ModelProbeChild}) and generates one
 * token, before the store accepts the file. No header check ({@link ModelCheck}) is complete, and a file that trips
 * a {@code GGML_ASSERT} aborts the whole process that loads it; here that process is the child, and the file is
 * refused with the child's last native log line while the server keeps running. Ollama gets the same safety by
 * running its model runner as a separate process; Botgate pays for it once, at import.
 *
 * <p>The child is the same {@code java} ({@code java.home}) on the same class path ({@code java.class.path}), with
 * llama.cpp's native library extracted under the same directory as this JVM's ({@code de.kherud.llama.tmpdir}), in a
 * {@code probe/} folder of its own so the two never rewrite one file. One probe runs at a time per store.
 */
public final class ModelProbe {
    private static final System.Logger LOG = System.getLogger(ModelProbe.class.getName());
    /** Context the trial load asks for: enough to generate, small enough to cost little memory. */
    static final int CONTEXT = 512;
    private static final int TAIL_BYTES = 64 * 1024;
    private static final int MAX_LINE = 300;

    private final Duration timeout;
    private final ReentrantLock running = new ReentrantLock();

    private ModelProbe(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * A probe that gives the child {@code timeout} to load the model and generate (a large model on a slow disk takes
     * seconds; a hung load is refused).
     */
    public static ModelProbe childJvm(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("probe timeout must be positive, not " + timeout);
        }
        return new ModelProbe(timeout);
    }

    /** How long the child may take. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Loads {@code gguf} in a child JVM with the chat template a Modelfile gives (if any) and generates one token.
     *
     * @param label how to name the model in messages
     * @throws ModelRefusedException ({@link Reason#LOAD_FAILED}) when the child fails, dies or takes too long, with
     *                               the child's last native log line
     * @throws StoreException        when the child cannot be started at all
     */
    public void check(String label, Path gguf, Optional<String> template) {
        running.lock();
        Path log = null;
        Path templateFile = null;
        try {
            Path dir = probeDir();
            Files.createDirectories(dir);
            log = Files.createTempFile(dir, "probe-", ".log");
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC", "-Xmx256m", "-XX:-CreateCoredumpOnCrash",
                    "-XX:ErrorFile=" + dir.resolve("hs_err_pid%p.log"), "--enable-native-access=ALL-UNNAMED",
                    "-Dde.kherud.llama.tmpdir=" + dir));
            String libPath = System.getProperty("de.kherud.llama.lib.path");
            if (libPath != null) {
                command.add("-Dde.kherud.llama.lib.path=" + libPath);
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), ModelProbeChild.class.getName(),
                    gguf.toAbsolutePath().toString(), Integer.toString(CONTEXT)));
            if (template.isPresent()) {
                templateFile = Files.createTempFile(dir, "template-", ".jinja");
                Files.writeString(templateFile, template.get(), StandardCharsets.UTF_8);
                command.add(templateFile.toString());
            }
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(log.toFile()).directory(dir.toFile());
            pb.environment().put("GGML_NO_BACKTRACE", "1"); // the assert line is the news, not a gdb backtrace
            long began = System.nanoTime();
            Process child = pb.start();
            boolean ended;
            try {
                ended = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                child.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while trying " + label + " in a child process");
            }
            if (!ended) {
                child.destroyForcibly();
                throw new ModelRefusedException(Reason.LOAD_FAILED, label + " did not load and generate within "
                        + timeout.toSeconds() + " s in a trial run, so it was refused; if the model is just large "
                        + "and this machine slow, raise models.probe-timeout" + lastLine(log).map(l -> " (llama.cpp's "
                        + "last line: " + l + ")").orElse(""));
            }
            int status = child.exitValue();
            LOG.log(System.Logger.Level.DEBUG, "probe of {0}: exit {1} after {2} ms", label, status,
                    (System.nanoTime() - began) / 1_000_000);
            if (status != 0) {
                throw new ModelRefusedException(Reason.LOAD_FAILED, failure(label, status, lastLine(log)));
            }
        } catch (IOException e) {
            throw new StoreException("cannot start a child process to try " + label + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(log);
            deleteQuietly(templateFile);
            running.unlock();
        }
    }

    static String failure(String label, int status, Optional<String> line) {
        String what = switch (status) {
            case 2 -> "llama.cpp could not load it";
            case 134 -> "llama.cpp aborted the process loading it (SIGABRT)";
            default -> status > 128 ? "the process loading it died with signal " + (status - 128)
                    : "the process loading it exited with status " + status;
        };
        return label + " was refused: in a trial run in a separate process, " + what
                + line.map(l -> ": " + l).orElse("") + ". Loading it in the server would "
                + (status == 2 ? "fail the same way" : "have killed the server") + "; use another file of this model";
    }

    /**
     * The line of the child's stderr that says what happened: the last {@code GGML_ASSERT}/{@code error:} line, else
     * the last non-blank one; the build path before llama.cpp's own file names is cut.
     */
    static Optional<String> lastLine(Path log) {
        List<String> lines;
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long from = Math.max(0, f.length() - TAIL_BYTES);
            byte[] tail = new byte[(int) (f.length() - from)];
            f.seek(from);
            f.readFully(tail);
            lines = new String(tail, StandardCharsets.UTF_8).lines().map(String::strip).filter(l -> !l.isEmpty())
                    .toList();
        } catch (IOException e) {
            return Optional.empty();
        }
        String chosen = null;
        for (String l : lines) {
            if (l.contains("GGML_ASSERT") || l.contains("GGML_ABORT") || l.startsWith("error:")
                    || l.contains("terminate called")) {
                chosen = l;
            }
        }
        if (chosen == null && !lines.isEmpty()) {
            chosen = lines.getLast();
        }
        if (chosen == null) {
            return Optional.empty();
        }
        int src = chosen.indexOf("llama.cpp-src/");
        if (src >= 0) {
            chosen = chosen.substring(src + "llama.cpp-src/".length());
        }
        return Optional.of(chosen.length() <= MAX_LINE ? chosen : chosen.substring(0, MAX_LINE) + "…");
    }

    /** {@code <native library dir>/probe}: under the data directory when the engine set one. */
    private static Path probeDir() {
        String nativeDir = System.getProperty("de.kherud.llama.tmpdir");
        Path base = nativeDir != null ? Path.of(nativeDir) : Path.of(System.getProperty("java.io.tmpdir"), "botgate");
        return base.toAbsolutePath().resolve("probe");
    }

    private static String javaBinary() {
        Path bin = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(bin) ? bin.toString() : bin.resolveSibling("java.exe").toString();
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot delete {0}: {1}", p, e.getMessage());
        }
    }
}
