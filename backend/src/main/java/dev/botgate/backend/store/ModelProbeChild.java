package dev.botgate.backend.store;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child side of {@link ModelProbe}: loads one GGUF file with llama.cpp the way the engine does and generates one
 * token, in a JVM of its own, so that a file that aborts llama.cpp ({@code GGML_ASSERT} → SIGABRT) kills this short
 * process instead of the server.
 *
 * <p>Arguments: the GGUF file, the context size, and optionally a file holding a chat template. Exit status 0 when the
 * model loaded and generated; 2 with a one-line {@code error: ...} on stderr when llama.cpp refused it with an
 * exception; anything else (134 for SIGABRT) when it died.
 */
public final class ModelProbeChild {
    /** Printed on stdout when the model loaded and generated a token. */
    static final String OK = "botgate-probe-ok";

    private ModelProbeChild() {
    }

    /** Loads {@code args[0]} with context {@code args[1]} and template file {@code args[2]} (optional). */
    public static void main(String[] args) {
        int status;
        try {
            ModelParameters params = new ModelParameters()
                    .setModel(args[0])
                    .setCtxSize(Integer.parseInt(args[1]))
                    .setParallel(1)
                    .setThreads(1)
                    .setThreadsBatch(1)
                    .disableContextShift()
                    .enableJinja();
            if (args.length > 2) {
                params.setChatTemplate(Files.readString(Path.of(args[2]), StandardCharsets.UTF_8));
            }
            LlamaModel model = new LlamaModel(params);
            model.complete(new InferenceParameters("Hello").setNPredict(1));
            System.out.println(OK);
            status = 0;
        } catch (java.io.IOException | RuntimeException e) { // LlamaException is a RuntimeException
            System.err.println("error: " + String.valueOf(e.getMessage()).replace('\n', ' '));
            status = 2;
        }
        System.out.flush();
        System.err.flush();
        // java-llama.cpp leaves a non-daemon native thread behind: only exit ends this JVM.
        Runtime.getRuntime().halt(status);
    }
}
