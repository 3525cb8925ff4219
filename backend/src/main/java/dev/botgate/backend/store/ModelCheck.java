package dev.botgate.backend.store;

import dev.botgate.backend.store.GgufFile.GgmlType;
import dev.botgate.backend.store.ModelRefusedException.Reason;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses, before llama.cpp sees it, a GGUF file that would fail obscurely or kill the process there: a truncated
 * file, an architecture or tensor type the bundled llama.cpp build lacks, an embedding model with MEAN pooling.
 *
 * <pre>{@code
 * GgufInfo info = ModelCheck.bundled().check(path); // throws ModelRefusedException with the reason and the remedy
 * }</pre>
 */
public final class ModelCheck {
    /**
     * The architectures of the llama.cpp build b4916 bundled in {@code de.kherud:llama} 4.2.0: its
     * {@code LLM_ARCH_NAMES} table, read from {@code libjllama.so}, without the encoder-decoder and audio entries
     * ({@code t5}, {@code t5encoder}, {@code wavtokenizer-dec}) that its server loop cannot run. Measured to load
     * here (STACK.md): llama, qwen2, qwen2moe, gemma3, phi3 (Phi-3 and Phi-4), deepseek2 (DeepSeek V2 and V3), bert,
     * nomic-bert. Newer architectures (qwen3, qwen3moe, gemma3n, llama4, glm4, ...) are not in it.
     */
    public static final Set<String> BUNDLED_ARCHITECTURES = Set.of(
            "llama", "deci", "falcon", "grok", "gpt2", "gptj", "gptneox", "mpt", "baichuan", "starcoder", "refact",
            "bert", "nomic-bert", "jina-bert-v2", "bloom", "stablelm", "qwen", "qwen2", "qwen2moe", "qwen2vl", "phi2",
            "phi3", "phimoe", "plamo", "codeshell", "orion", "internlm2", "minicpm", "minicpm3", "gemma", "gemma2",
            "gemma3", "starcoder2", "mamba", "xverse", "command-r", "cohere2", "dbrx", "olmo", "olmo2", "olmoe",
            "openelm", "arctic", "deepseek", "deepseek2", "chatglm", "bitnet", "jais", "nemotron", "exaone", "rwkv6",
            "rwkv6qwen2", "rwkv7", "arwkv7", "granite", "granitemoe", "chameleon");

    private static final ModelCheck BUNDLED = new ModelCheck(BUNDLED_ARCHITECTURES);

    private final Set<String> architectures;

    private ModelCheck(Set<String> architectures) {
        this.architectures = Set.copyOf(architectures);
    }

    /** The check for the llama.cpp build bundled with this Botgate. */
    public static ModelCheck bundled() {
        return BUNDLED;
    }

    /** A check that allows these architectures, for a build of Botgate with another llama.cpp. */
    public static ModelCheck allowing(Set<String> architectures) {
        return new ModelCheck(Objects.requireNonNull(architectures, "architectures"));
    }

    /** Reads {@code file}'s header and checks it; returns the header when the file may be loaded. */
    public GgufInfo check(Path file) {
        GgufInfo info = GgufFile.read(file);
        check(file.getFileName().toString(), info);
        return info;
    }

    /**
     * @param label how to name the model in messages (a file or model name)
     * @throws ModelRefusedException when llama.cpp must not get this file
     */
    public void check(String label, GgufInfo info) {
        if (!info.complete()) {
            throw new ModelRefusedException(Reason.TRUNCATED, label + " is truncated: expected " + info.dataEnd()
                    + " bytes, file has " + info.fileSize() + "; the download or copy was cut short, pull it again");
        }
        String arch = info.architecture();
        if (arch.isEmpty()) {
            throw new ModelRefusedException(Reason.UNSUPPORTED_ARCHITECTURE, label
                    + " has no general.architecture key, so llama.cpp cannot tell what model it is");
        }
        if (!architectures.contains(arch)) {
            throw new ModelRefusedException(Reason.UNSUPPORTED_ARCHITECTURE, label + " uses the '" + arch
                    + "' architecture, which the llama.cpp build bundled with this Botgate (b4916) does not have. "
                    + "Supported: " + String.join(", ", new TreeSet<>(architectures)) + ". Use a model of a "
                    + "supported architecture (e.g. qwen2.5 instead of qwen3), run this one on a model server (vLLM, "
                    + "llama.cpp's llama-server, Ollama) added under engines: in the configuration, or use a newer "
                    + "Botgate build");
        }
        for (Map.Entry<String, Long> type : info.tensorTypes().entrySet()) {
            GgmlType known = knownType(type.getKey());
            if (known == null || !known.inBundled) {
                throw new ModelRefusedException(Reason.UNSUPPORTED_ARCHITECTURE, label + " stores " + type.getValue()
                        + " tensors as " + type.getKey() + ", a type the bundled llama.cpp (b4916) cannot load; use "
                        + "another quantisation of the model (e.g. Q4_K_M) or a newer Botgate build");
            }
        }
        if (info.pooling() == PoolingType.MEAN) {
            throw new ModelRefusedException(Reason.MEAN_POOLING, label + " is an embedding model with MEAN pooling ("
                    + arch + ".pooling_type = 1). In the bundled llama.cpp build, computing embeddings with MEAN "
                    + "pooling aborts the whole process (GGML_ASSERT in ggml_can_mul_mat, llama.cpp issue 12517), so "
                    + "Botgate refuses to load it; use an embedding model with LAST pooling, or the built-in "
                    + "knowledge-base embedder");
        }
    }

    private static GgmlType knownType(String name) {
        try {
            return GgmlType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
