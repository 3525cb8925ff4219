package dev.botgate.backend.store;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a GGUF file's header says, read without loading the weights ({@link GgufFile#read}). Counts are 0 where the
 * file does not carry the key.
 *
 * @param version         GGUF format version (2 or 3)
 * @param tensorCount     number of tensors
 * @param architecture    {@code general.architecture}, e.g. {@code llama}, {@code qwen2}
 * @param name            {@code general.name}, empty when absent
 * @param parameterCount  sum of the element counts of all tensors
 * @param fileType        {@code general.file_type} (llama.cpp's {@code LLAMA_FTYPE_*}), -1 when absent
 * @param quantization    the file type's name as llama.cpp and Ollama print it ({@code Q4_K_M}, {@code F16}, ...)
 * @param contextLength   {@code <arch>.context_length}: the context the model was trained for
 * @param embeddingLength {@code <arch>.embedding_length}
 * @param blockCount      {@code <arch>.block_count} (layers)
 * @param headCount       {@code <arch>.attention.head_count}
 * @param headCountKv     {@code <arch>.attention.head_count_kv}
 * @param vocabularySize  number of entries in {@code tokenizer.ggml.tokens}
 * @param chatTemplate    {@code tokenizer.chat_template}
 * @param license         {@code general.license}
 * @param pooling         {@code <arch>.pooling_type}
 * @param tensorTypes     ggml tensor type name to the number of tensors stored in it
 * @param metadata        every metadata key: scalars as {@code Long}, {@code Double}, {@code Boolean} or {@code String};
 *                        arrays as {@link Array} (type and length, contents not kept)
 * @param metadataTypes   every metadata key's GGUF value type: {@code u32}, {@code i64}, {@code string},
 *                        {@code array[f32]}, ...
 * @param dataEnd         bytes the file must have to hold all tensor data
 * @param fileSize        bytes the file has
 */
public record GgufInfo(int version, long tensorCount, String architecture, String name, long parameterCount,
                       int fileType, String quantization, long contextLength, long embeddingLength, long blockCount,
                       long headCount, long headCountKv, long vocabularySize, Optional<String> chatTemplate,
                       Optional<String> license, PoolingType pooling, Map<String, Long> tensorTypes,
                       Map<String, Object> metadata, Map<String, String> metadataTypes, long dataEnd, long fileSize) {

    /** An array-valued metadata key, e.g. {@code tokenizer.ggml.tokens}: element type and length. */
    public record Array(String type, long length) {
    }

    public GgufInfo {
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(quantization, "quantization");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
        Objects.requireNonNull(license, "license");
        Objects.requireNonNull(pooling, "pooling");
        tensorTypes = Map.copyOf(tensorTypes);
        metadata = Map.copyOf(metadata);
        metadataTypes = Map.copyOf(metadataTypes);
    }

    /** Whether the file holds all the tensor data its header describes. */
    public boolean complete() {
        return fileSize >= dataEnd;
    }

    /** Parameter count the way Ollama prints it: {@code 494.03M}, {@code 1.54B}. */
    public String parameterSize() {
        return formatParameters(parameterCount);
    }

    static String formatParameters(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.2fK", n / 1e3);
        }
        return Long.toString(n);
    }
}
