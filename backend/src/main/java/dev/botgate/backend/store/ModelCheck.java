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
 * file, an architecture or tensor type the bundled llama.cpp build lacks, an embedding model with MEAN pooling,
 * hyperparameters llama.cpp asserts on (more than 256 experts, more experts used than there are, heads that do not
 * divide the embedding width), counts stored with the wrong type or out of any sane range, and a vocabulary whose
 * arrays llama.cpp would read with the wrong type or past their end.
 *
 * <p>No header check is complete: {@link ModelProbe} then loads each new file once in a child process.
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
    /** {@code LLAMA_MAX_EXPERTS} of b4916: more aborts the process ({@code GGML_ASSERT} in llama-model.cpp). */
    static final long MAX_EXPERTS = 256;
    /** {@code LLAMA_MAX_LAYERS}. */
    static final long MAX_LAYERS = 512;
    /** Largest trained context accepted: beyond the longest-context models published (10M tokens). */
    static final long MAX_CONTEXT = 1L << 26;
    /** Largest embedding width, feed-forward width, head size accepted: far beyond any published model. */
    static final long MAX_WIDTH = 1L << 20;
    static final long MAX_HEADS = 1L << 14;
    /** Hyperparameter keys llama.cpp reads as u32 (after the {@code <arch>.} prefix); others fail its loader. */
    private static final Set<String> U32_KEYS = Set.of("context_length", "embedding_length", "block_count",
            "feed_forward_length", "attention.head_count", "attention.head_count_kv", "attention.key_length",
            "attention.value_length", "expert_count", "expert_used_count", "expert_shared_count", "vocab_size",
            "rope.dimension_count", "expert_feed_forward_length", "leading_dense_block_count");
    /** Of those, the ones a model may give per layer as an array instead. */
    private static final Set<String> PER_LAYER_KEYS = Set.of("feed_forward_length", "attention.head_count",
            "attention.head_count_kv");

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
        checkHyperparameters(label, info);
        checkVocabulary(label, info);
        if (info.pooling() == PoolingType.MEAN) {
            throw new ModelRefusedException(Reason.MEAN_POOLING, label + " is an embedding model with MEAN pooling ("
                    + arch + ".pooling_type = 1). In the bundled llama.cpp build, computing embeddings with MEAN "
                    + "pooling aborts the whole process (GGML_ASSERT in ggml_can_mul_mat, llama.cpp issue 12517), so "
                    + "Botgate refuses to load it; use an embedding model with LAST pooling, or the built-in "
                    + "knowledge-base embedder");
        }
    }

    /** What llama-model.cpp's {@code load_hparams} asserts on, and counts outside any sane range. */
    private static void checkHyperparameters(String label, GgufInfo info) {
        String prefix = info.architecture() + ".";
        for (String key : U32_KEYS) {
            String type = info.metadataTypes().get(prefix + key);
            if (type != null && !type.equals("u32") && !(PER_LAYER_KEYS.contains(key) && isIntegerArray(type))) {
                throw invalid(label, prefix + key + " is stored as " + type + "; llama.cpp reads it as an unsigned "
                        + "32-bit number (u32)");
            }
        }
        long layers = u32(info, prefix + "block_count");
        bounded(label, prefix + "block_count", layers, MAX_LAYERS);
        bounded(label, prefix + "context_length", u32(info, prefix + "context_length"), MAX_CONTEXT);
        long width = u32(info, prefix + "embedding_length");
        bounded(label, prefix + "embedding_length", width, MAX_WIDTH);
        bounded(label, prefix + "feed_forward_length", u32(info, prefix + "feed_forward_length"), MAX_WIDTH);
        bounded(label, prefix + "attention.key_length", u32(info, prefix + "attention.key_length"), MAX_WIDTH);
        bounded(label, prefix + "attention.value_length", u32(info, prefix + "attention.value_length"), MAX_WIDTH);
        long experts = u32(info, prefix + "expert_count");
        long used = u32(info, prefix + "expert_used_count");
        if (experts > MAX_EXPERTS) {
            throw invalid(label, prefix + "expert_count is " + experts + "; llama.cpp allows at most " + MAX_EXPERTS
                    + " experts and aborts the process on more");
        }
        if (used > experts) {
            throw invalid(label, prefix + "expert_used_count (" + used + ") is more than " + prefix
                    + "expert_count (" + experts + "); llama.cpp aborts the process on that");
        }
        if (experts > 0 && used == 0) {
            throw invalid(label, prefix + "expert_count is " + experts + " but " + prefix + "expert_used_count is 0 "
                    + "or missing; a mixture-of-experts model must use at least one expert per token");
        }
        long heads = u32(info, prefix + "attention.head_count");
        long headsKv = info.metadata().containsKey(prefix + "attention.head_count_kv")
                ? u32(info, prefix + "attention.head_count_kv") : heads;
        bounded(label, prefix + "attention.head_count", heads, MAX_HEADS);
        if (heads > 0 && headsKv > 0 && (headsKv > heads || heads % headsKv != 0)) {
            throw invalid(label, prefix + "attention.head_count (" + heads + ") is not a multiple of " + prefix
                    + "attention.head_count_kv (" + headsKv + ")");
        }
        boolean headSizeGiven = info.metadata().containsKey(prefix + "attention.key_length");
        if (heads > 0 && width > 0 && !headSizeGiven && width % heads != 0) {
            throw invalid(label, prefix + "embedding_length (" + width + ") is not a multiple of " + prefix
                    + "attention.head_count (" + heads + ")");
        }
    }

    /**
     * llama-vocab.cpp reads the token list with {@code gguf_get_arr_str} and the scores and types as raw arrays of
     * n-tokens elements: another type aborts the process ({@code GGML_ASSERT}), a shorter array is read past its end.
     */
    private static void checkVocabulary(String label, GgufInfo info) {
        Map<String, String> types = info.metadataTypes();
        String tokensType = types.get("tokenizer.ggml.tokens");
        if (tokensType == null) {
            return;
        }
        if (!tokensType.equals("array[string]")) {
            throw invalid(label, "tokenizer.ggml.tokens is stored as " + tokensType + ", not an array of strings");
        }
        long tokens = info.vocabularySize();
        expectArray(label, info, "tokenizer.ggml.scores", "f32", tokens);
        expectArray(label, info, "tokenizer.ggml.token_type", "i32", tokens);
        String merges = types.get("tokenizer.ggml.merges");
        if (merges != null && !merges.equals("array[string]")) {
            throw invalid(label, "tokenizer.ggml.merges is stored as " + merges + ", not an array of strings");
        }
    }

    private static void expectArray(String label, GgufInfo info, String key, String element, long length) {
        String type = info.metadataTypes().get(key);
        if (type == null) {
            return;
        }
        if (!type.equals("array[" + element + "]")) {
            throw invalid(label, key + " is stored as " + type + ", not an array of " + element);
        }
        long have = ((GgufInfo.Array) info.metadata().get(key)).length();
        if (have != length) {
            throw invalid(label, key + " has " + have + " entries for " + length + " tokens");
        }
    }

    private static boolean isIntegerArray(String type) {
        return type.equals("array[u32]") || type.equals("array[i32]");
    }

    /** The u32 value of {@code key}, 0 when absent or an array (types are checked before). */
    private static long u32(GgufInfo info, String key) {
        return info.metadata().get(key) instanceof Long l ? l : 0;
    }

    private static void bounded(String label, String key, long value, long max) {
        if (value > max) {
            throw invalid(label, key + " is " + value + ", more than the " + max + " Botgate accepts");
        }
    }

    private static ModelRefusedException invalid(String label, String what) {
        return new ModelRefusedException(Reason.INVALID, label + " cannot be loaded safely: " + what + "; llama.cpp "
                + "would fail or abort the process on it, so Botgate refuses the file");
    }

    private static GgmlType knownType(String name) {
        try {
            return GgmlType.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
