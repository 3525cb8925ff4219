package dev.botgate.backend.store;

import java.util.List;

/**
 * GGUF files an attacker (or a broken converter) could hand to {@code pull} or {@code create}, each written by
 * {@link TinyGguf}: every one of them aborted the JVM or gave a 500 before the store checked for it. Shared with the
 * gateway's tests, which send them over HTTP.
 */
public final class HostileGgufs {
    private HostileGgufs() {
    }

    /**
     * A file the header checks refuse.
     *
     * @param name   a file name for it
     * @param file   the writer
     * @param reason a piece of the refusal message
     */
    public record Case(String name, TinyGguf file, String reason) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case the header checks ({@link GgufFile}, {@link ModelCheck}) must refuse. */
    public static List<Case> refusedByTheHeaderChecks() {
        return List.of(
                // gguf_get_val_u32 asserts on the type: SIGABRT on first load.
                new Case("alignment-u64", TinyGguf.builder().extra("general.alignment", 32L),
                        "general.alignment is stored as u64"),
                new Case("alignment-48", TinyGguf.builder().extra("general.alignment", 48), "not a power of two"),
                // GGML_ASSERT(hparams.n_expert <= LLAMA_MAX_EXPERTS)
                new Case("experts-1000", TinyGguf.builder().extra("llama.expert_count", 1000)
                        .extra("llama.expert_used_count", 2), "llama.expert_count is 1000"),
                // GGML_ASSERT(hparams.n_expert_used <= hparams.n_expert)
                new Case("experts-used-8-of-4", TinyGguf.builder().extra("llama.expert_count", 4)
                        .extra("llama.expert_used_count", 8), "llama.expert_used_count (8) is more than"),
                // Was an ArithmeticException out of the reader: HTTP 500.
                new Case("dims-overflow", TinyGguf.builder().tensorHeaderDims("output_norm.weight", 1L << 32,
                        1L << 32), "overflows 64 bits"),
                new Case("offset-past-end", TinyGguf.builder().tensorHeaderOffset("output.weight", 1L << 40),
                        "must start at"),
                new Case("five-dims", TinyGguf.builder().tensorHeaderDims("output_norm.weight", 64, 1, 1, 1, 1),
                        "dimensions (at most 4)"),
                new Case("heads-3-of-64", TinyGguf.builder().heads(3, 3),
                        "llama.embedding_length (64) is not a multiple of llama.attention.head_count (3)"),
                new Case("kv-heads-3-of-4", TinyGguf.builder().heads(4, 3),
                        "llama.attention.head_count (4) is not a multiple of llama.attention.head_count_kv (3)"),
                new Case("layers-negative", TinyGguf.builder().extra("llama.block_count", new TinyGguf.I32(-1)),
                        "llama.block_count is stored as i32"),
                new Case("context-2-30", TinyGguf.builder().extra("llama.context_length", 1 << 30),
                        "llama.context_length is 1073741824"));
    }

    /**
     * A file whose header is well-formed, so the header checks pass it, but whose vocabulary holds one piece twice:
     * llama.cpp b4916 then aborts the process ({@code GGML_ASSERT(id_to_token.size() == token_to_id.size())}). Only
     * the trial load in a child process ({@link ModelProbe}) can catch it.
     */
    public static TinyGguf abortsLlamaCppPastTheHeaderChecks() {
        return TinyGguf.builder().duplicateToken();
    }

    /** The line llama.cpp prints when {@link #abortsLlamaCppPastTheHeaderChecks()} aborts it. */
    public static final String DUPLICATE_TOKEN_ASSERT = "GGML_ASSERT(id_to_token.size() == token_to_id.size())";
}
