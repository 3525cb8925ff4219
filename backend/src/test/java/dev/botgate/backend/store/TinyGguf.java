package dev.botgate.backend.store;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a small GGUF v3 file with random F32 weights that the bundled llama.cpp loads and generates from
 * (gibberish, which is all plumbing tests need). Architecture {@code llama}, a SentencePiece-style vocabulary with
 * byte fallback, and a chat template. No model hub is reachable in tests, so every test writes its own model.
 *
 * <pre>{@code
 * Path model = TinyGguf.builder().write(dir.resolve("tiny.gguf"));          // 64-dim, 2 layers, ~0.7 MB
 * Path bench = TinyGguf.builder().embedding(512).layers(8).feedForward(1536).heads(8, 8).write(p); // ~26M params
 * Path bad = TinyGguf.builder().architecture("qwen3").write(p);              // for refusal tests
 * }</pre>
 */
public final class TinyGguf {
    private static final int ALIGN = 32;
    private static final int T_U32 = 4;
    private static final int T_I32 = 5;
    private static final int T_F32 = 6;
    private static final int T_BOOL = 7;
    private static final int T_STR = 8;
    private static final int T_ARR = 9;
    private static final int T_U64 = 10;
    private static final String SP = "\u2581";
    private static final String WORDS = "the of and to in is you that it he was for on are as with his they I at be this "
            + "have from or one had by word but not what all were we when your can said there use an each which she do "
            + "how their if will up other about out many then them these so some her would make like him into time has "
            + "look two more write go see number no way could people my than first water been call who oil its now find "
            + "long down day did get come made may part hello world llama java token model server request return refund "
            + "order";
    /** The template written by default: plain "role: content" lines, as llama.cpp's Jinja engine renders it. */
    public static final String CHAT_TEMPLATE = "{% for m in messages %}{{ '<s>' if loop.first else '' }}"
            + "{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}assistant:{% endif %}";

    /**
     * Qwen2.5's chat template (ChatML with Hermes {@code <tool_call>} calls, tools listed in the system turn and tool
     * results as {@code <tool_response>} user turns), for tests of tool calling.
     */
    public static final String QWEN25_TEMPLATE = """
            {%- if tools %}
                {{- '<|im_start|>system\n' }}
                {%- if messages[0]['role'] == 'system' %}
                    {{- messages[0]['content'] }}
                {%- else %}
                    {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
                {%- endif %}
                {{- "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>" }}
                {%- for tool in tools %}
                    {{- "\n" }}
                    {{- tool | tojson }}
                {%- endfor %}
                {{- "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" }}
            {%- else %}
                {%- if messages[0]['role'] == 'system' %}
                    {{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}
                {%- else %}
                    {{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}
                {%- endif %}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
                    {{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}
                {%- elif message.role == "assistant" %}
                    {{- '<|im_start|>' + message.role }}
                    {%- if message.content %}
                        {{- '\n' + message.content }}
                    {%- endif %}
                    {%- for tool_call in message.tool_calls %}
                        {%- if tool_call.function is defined %}
                            {%- set tool_call = tool_call.function %}
                        {%- endif %}
                        {{- '\n<tool_call>\n{"name": "' }}
                        {{- tool_call.name }}
                        {{- '", "arguments": ' }}
                        {{- tool_call.arguments | tojson }}
                        {{- '}\n</tool_call>' }}
                    {%- endfor %}
                    {{- '<|im_end|>\n' }}
                {%- elif message.role == "tool" %}
                    {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                        {{- '<|im_start|>user' }}
                    {%- endif %}
                    {{- '\n<tool_response>\n' }}
                    {{- message.content }}
                    {{- '\n</tool_response>' }}
                    {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                        {{- '<|im_end|>\n' }}
                    {%- endif %}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\n' }}
            {%- endif %}
            """;

    private int embedding = 64;
    private int layers = 2;
    private int feedForward = 192;
    private int heads = 4;
    private int headsKv = 4;
    private int contextLength = 2048;
    private String architecture = "llama";
    private String name = "";
    private String chatTemplate = CHAT_TEMPLATE;
    private long seed = 42;
    private int weightType = 0;
    private int weightBlock = 1;
    private int weightBlockBytes = 4;
    private int fileType = 0;
    private final Map<String, Object> extra = new LinkedHashMap<>();
    private final Map<String, long[]> headerDims = new LinkedHashMap<>();
    private final Map<String, Long> headerOffsets = new LinkedHashMap<>();
    private boolean duplicateToken;

    /** A signed 32-bit metadata value for {@link #extra}, e.g. a negative count. */
    public record I32(int value) {
    }

    private TinyGguf() {
    }

    public static TinyGguf builder() {
        return new TinyGguf();
    }

    public TinyGguf embedding(int n) {
        this.embedding = n;
        return this;
    }

    public TinyGguf layers(int n) {
        this.layers = n;
        return this;
    }

    public TinyGguf feedForward(int n) {
        this.feedForward = n;
        return this;
    }

    public TinyGguf heads(int n, int kv) {
        this.heads = n;
        this.headsKv = kv;
        return this;
    }

    public TinyGguf contextLength(int n) {
        this.contextLength = n;
        return this;
    }

    /** Writes this architecture name; keys stay {@code llama.*}-shaped under the new prefix. */
    public TinyGguf architecture(String arch) {
        this.architecture = arch;
        return this;
    }

    public TinyGguf name(String n) {
        this.name = n;
        return this;
    }

    /** Chat template to embed; empty to write none. */
    public TinyGguf chatTemplate(String template) {
        this.chatTemplate = template;
        return this;
    }

    public TinyGguf seed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * An extra metadata key: {@code String}, {@code Integer} (u32), {@code Long} (u64), {@link I32}, {@code Float},
     * {@code Boolean}. E.g. {@code extra("llama.pooling_type", 1)} for a MEAN-pooling embedding model. A key the
     * writer sets itself (say {@code general.alignment}) is written once, with this value and type instead.
     */
    public TinyGguf extra(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    /**
     * Writes {@code dims} as the shape of tensor {@code name} in the tensor table while its data stays that of the real
     * shape: for hostile files (dimensions whose product overflows, a shape llama.cpp does not expect).
     */
    public TinyGguf tensorHeaderDims(String name, long... dims) {
        headerDims.put(name, dims.clone());
        return this;
    }

    /** Writes {@code offset} as tensor {@code name}'s data offset in the tensor table (the data stays in place). */
    public TinyGguf tensorHeaderOffset(String name, long offset) {
        headerOffsets.put(name, offset);
        return this;
    }

    /**
     * Writes one vocabulary piece twice (the last token repeats an earlier one). The header stays well-formed, so the
     * store's header checks pass it; llama.cpp b4916 aborts the process loading it
     * ({@code GGML_ASSERT(id_to_token.size() == token_to_id.size())}).
     */
    public TinyGguf duplicateToken() {
        this.duplicateToken = true;
        return this;
    }

    /**
     * Stores the 2-D weight matrices in another ggml type (the 1-D norms stay F32, as llama.cpp's quantiser does),
     * with random block bytes, e.g. {@code weights(8, 32, 34, 7)} for Q8_0. For the GGUF reader's tests: llama.cpp
     * loads Q8_0 written this way, other types only if their random bytes happen to be valid.
     *
     * @param ggmlType   ggml type id of the weights
     * @param blockSize  elements per block
     * @param blockBytes bytes per block
     * @param fileType   {@code general.file_type} to write
     */
    public TinyGguf weights(int ggmlType, int blockSize, int blockBytes, int fileType) {
        this.weightType = ggmlType;
        this.weightBlock = blockSize;
        this.weightBlockBytes = blockBytes;
        this.fileType = fileType;
        return this;
    }

    /** Parameter count of the model this builder writes. */
    public long parameterCount() {
        int vocab = vocabulary().size();
        int kvDim = embedding / heads * headsKv;
        long perLayer = 2L * embedding + 2L * embedding * embedding + 2L * embedding * kvDim + 3L * embedding * feedForward;
        return 2L * embedding * vocab + embedding + layers * perLayer;
    }

    /** Writes the file and returns its path. */
    public Path write(Path file) throws IOException {
        List<String> tokens = vocabulary();
        if (duplicateToken) {
            tokens.set(tokens.size() - 1, tokens.get(tokens.size() - 2));
        }
        int vocab = tokens.size();
        Random random = new Random(seed);
        List<Tensor> tensors = new ArrayList<>();
        int headDim = embedding / heads;
        int kvDim = headDim * headsKv;
        tensors.add(new Tensor("token_embd.weight", new long[]{embedding, vocab}, 0.5f));
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            tensors.add(new Tensor(p + "attn_norm.weight", new long[]{embedding}, -1));
            tensors.add(new Tensor(p + "attn_q.weight", new long[]{embedding, embedding}, 0.05f));
            tensors.add(new Tensor(p + "attn_k.weight", new long[]{embedding, kvDim}, 0.05f));
            tensors.add(new Tensor(p + "attn_v.weight", new long[]{embedding, kvDim}, 0.05f));
            tensors.add(new Tensor(p + "attn_output.weight", new long[]{embedding, embedding}, 0.05f));
            tensors.add(new Tensor(p + "ffn_norm.weight", new long[]{embedding}, -1));
            tensors.add(new Tensor(p + "ffn_gate.weight", new long[]{embedding, feedForward}, 0.05f));
            tensors.add(new Tensor(p + "ffn_up.weight", new long[]{embedding, feedForward}, 0.05f));
            tensors.add(new Tensor(p + "ffn_down.weight", new long[]{feedForward, embedding}, 0.05f));
        }
        tensors.add(new Tensor("output_norm.weight", new long[]{embedding}, -1));
        tensors.add(new Tensor("output.weight", new long[]{embedding, vocab}, 0.5f));

        Meta meta = new Meta(extra.keySet());
        String a = architecture;
        meta.str("general.architecture", a);
        meta.str("general.name", name.isEmpty() ? "random " + a + " " + embedding + "x" + layers : name);
        meta.u32("general.alignment", ALIGN);
        meta.u32("general.file_type", fileType);
        meta.u32(a + ".context_length", contextLength);
        meta.u32(a + ".embedding_length", embedding);
        meta.u32(a + ".block_count", layers);
        meta.u32(a + ".feed_forward_length", feedForward);
        meta.u32(a + ".rope.dimension_count", headDim);
        meta.u32(a + ".attention.head_count", heads);
        meta.u32(a + ".attention.head_count_kv", headsKv);
        meta.f32(a + ".attention.layer_norm_rms_epsilon", 1e-5f);
        meta.f32(a + ".rope.freq_base", 10000f);
        meta.u32(a + ".vocab_size", vocab);
        meta.str("tokenizer.ggml.model", "llama");
        meta.strings("tokenizer.ggml.tokens", tokens);
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        float score = -1f;
        for (int i = 0; i < vocab; i++) {
            if (i == 0) {
                types[i] = 2;
            } else if (i < 3) {
                types[i] = 3;
            } else if (i < 3 + 256) {
                types[i] = 6;
            } else {
                types[i] = 1;
                scores[i] = score;
                score -= 0.01f;
            }
        }
        meta.floats("tokenizer.ggml.scores", scores);
        meta.ints("tokenizer.ggml.token_type", types);
        meta.u32("tokenizer.ggml.bos_token_id", 1);
        meta.u32("tokenizer.ggml.eos_token_id", 2);
        meta.u32("tokenizer.ggml.unknown_token_id", 0);
        meta.bool("tokenizer.ggml.add_bos_token", true);
        meta.bool("tokenizer.ggml.add_eos_token", false);
        if (!chatTemplate.isEmpty()) {
            meta.str("tokenizer.chat_template", chatTemplate);
        }
        meta.overridden.clear();
        for (Map.Entry<String, Object> e : extra.entrySet()) {
            switch (e.getValue()) {
                case String s -> meta.str(e.getKey(), s);
                case Integer i -> meta.u32(e.getKey(), i);
                case Long l -> meta.u64(e.getKey(), l);
                case I32 i -> meta.i32(e.getKey(), i.value());
                case Float f -> meta.f32(e.getKey(), f);
                case Boolean b -> meta.bool(e.getKey(), b);
                default -> throw new IllegalArgumentException("unsupported metadata type for " + e.getKey());
            }
        }

        ByteArrayOutputStream infos = new ByteArrayOutputStream();
        long offset = 0;
        for (Tensor t : tensors) {
            writeString(infos, t.name);
            long[] dims = headerDims.getOrDefault(t.name, t.dims);
            infos.writeBytes(le(4).putInt(dims.length).array());
            for (long d : dims) {
                infos.writeBytes(le(8).putLong(d).array());
            }
            infos.writeBytes(le(4).putInt(typeOf(t)).array());
            infos.writeBytes(le(8).putLong(headerOffsets.getOrDefault(t.name, offset)).array());
            long bytes = bytesOf(t);
            offset += bytes + pad(bytes);
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            ByteBuffer header = le(24);
            header.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(tensors.size()).putLong(meta.count);
            out.write(header.array());
            byte[] kv = meta.bytes.toByteArray();
            out.write(kv);
            byte[] inf = infos.toByteArray();
            out.write(inf);
            long written = 24 + kv.length + inf.length;
            out.write(new byte[(int) pad(written)]);
            for (Tensor t : tensors) {
                if (typeOf(t) != 0) {
                    writeBlocks(out, t, random);
                    continue;
                }
                long n = t.elements();
                ByteBuffer buf = le(4 * 4096);
                for (long i = 0; i < n; i++) {
                    float v = t.scale < 0 ? 1f : (random.nextFloat() * 2 - 1) * t.scale;
                    buf.putFloat(v);
                    if (!buf.hasRemaining()) {
                        out.write(buf.array());
                        buf.clear();
                    }
                }
                out.write(buf.array(), 0, buf.position());
                out.write(new byte[(int) pad(n * 4)]);
            }
        }
        return file;
    }

    private int typeOf(Tensor t) {
        return t.dims.length == 2 ? weightType : 0;
    }

    private long bytesOf(Tensor t) {
        return typeOf(t) == 0 ? t.elements() * 4 : t.elements() / weightBlock * weightBlockBytes;
    }

    private void writeBlocks(OutputStream out, Tensor t, Random random) throws IOException {
        long blocks = t.elements() / weightBlock;
        byte[] block = new byte[weightBlockBytes];
        for (long b = 0; b < blocks; b++) {
            random.nextBytes(block);
            if (weightType == 8) {
                block[0] = 0x00; // Q8_0 starts with an f16 scale: 0x2000 = 2^-7, small and finite
                block[1] = 0x20;
            }
            out.write(block);
        }
        out.write(new byte[(int) pad(bytesOf(t))]);
    }

    private static List<String> vocabulary() {
        List<String> tokens = new ArrayList<>();
        tokens.add("<unk>");
        tokens.add("<s>");
        tokens.add("</s>");
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
        }
        LinkedHashSet<String> pieces = new LinkedHashSet<>();
        for (String w : WORDS.split(" ")) {
            pieces.add(SP + w);
            pieces.add(w);
        }
        pieces.add(SP);
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?;:'\"()-".chars()
                .forEach(c -> pieces.add(String.valueOf((char) c)));
        "我想申请退货款如何流程是什么今天天气很好你的订单在哪里".chars().forEach(c -> pieces.add(String.valueOf((char) c)));
        tokens.addAll(pieces);
        return tokens;
    }

    private static long pad(long n) {
        return (ALIGN - n % ALIGN) % ALIGN;
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeString(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(le(8).putLong(b.length).array());
        out.writeBytes(b);
    }

    private record Tensor(String name, long[] dims, float scale) {
        long elements() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private static final class Meta {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        /** Keys given as extras: the writer's own value for them is skipped. */
        final java.util.Set<String> overridden;
        long count;

        Meta(java.util.Set<String> overridden) {
            this.overridden = new java.util.HashSet<>(overridden);
        }

        private boolean key(String k, int type) {
            if (overridden.contains(k)) {
                return false;
            }
            writeString(bytes, k);
            bytes.writeBytes(le(4).putInt(type).array());
            count++;
            return true;
        }

        void str(String k, String v) {
            if (key(k, T_STR)) {
                writeString(bytes, v);
            }
        }

        void u32(String k, int v) {
            if (key(k, T_U32)) {
                bytes.writeBytes(le(4).putInt(v).array());
            }
        }

        void i32(String k, int v) {
            if (key(k, T_I32)) {
                bytes.writeBytes(le(4).putInt(v).array());
            }
        }

        void u64(String k, long v) {
            if (key(k, T_U64)) {
                bytes.writeBytes(le(8).putLong(v).array());
            }
        }

        void f32(String k, float v) {
            if (key(k, T_F32)) {
                bytes.writeBytes(le(4).putFloat(v).array());
            }
        }

        void bool(String k, boolean v) {
            if (key(k, T_BOOL)) {
                bytes.write(v ? 1 : 0);
            }
        }

        void strings(String k, List<String> v) {
            if (!key(k, T_ARR)) {
                return;
            }
            bytes.writeBytes(le(12).putInt(T_STR).putLong(v.size()).array());
            v.forEach(s -> writeString(bytes, s));
        }

        void floats(String k, float[] v) {
            if (!key(k, T_ARR)) {
                return;
            }
            bytes.writeBytes(le(12).putInt(T_F32).putLong(v.length).array());
            ByteBuffer b = le(4 * v.length);
            for (float f : v) {
                b.putFloat(f);
            }
            bytes.writeBytes(b.array());
        }

        void ints(String k, int[] v) {
            if (!key(k, T_ARR)) {
                return;
            }
            bytes.writeBytes(le(12).putInt(T_I32).putLong(v.length).array());
            ByteBuffer b = le(4 * v.length);
            for (int i : v) {
                b.putInt(i);
            }
            bytes.writeBytes(b.array());
        }
    }
}
