package dev.botgate.backend.engine;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The few numbers of a GGUF header the engine needs to estimate a model's KV cache: layers and the width of K and V.
 * Reads the metadata only (the model store owns full GGUF reading and validation; this stays a private estimate).
 */
record GgufShape(int layers, int keyWidth, int valueWidth) {

    /** KV cache bytes for {@code contextTokens} in f16 (llama.cpp's default cache type). */
    long kvCacheBytes(long contextTokens) {
        return contextTokens * layers * (long) (keyWidth + valueWidth) * 2;
    }

    /** The shape, or empty when the file cannot be read or lacks the keys. */
    static Optional<GgufShape> read(Path file) {
        try {
            Map<String, Object> meta = metadata(file);
            if (!(meta.get("general.architecture") instanceof String arch)) {
                return Optional.empty();
            }
            long layers = number(meta, arch + ".block_count");
            long embedding = number(meta, arch + ".embedding_length");
            long heads = number(meta, arch + ".attention.head_count");
            long headsKv = meta.containsKey(arch + ".attention.head_count_kv")
                    ? number(meta, arch + ".attention.head_count_kv") : heads;
            if (layers <= 0 || embedding <= 0 || heads <= 0) {
                return Optional.empty();
            }
            long keyLength = meta.containsKey(arch + ".attention.key_length")
                    ? number(meta, arch + ".attention.key_length") : embedding / heads;
            long valueLength = meta.containsKey(arch + ".attention.value_length")
                    ? number(meta, arch + ".attention.value_length") : embedding / heads;
            return Optional.of(new GgufShape((int) layers, (int) (keyLength * headsKv), (int) (valueLength * headsKv)));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The header's scalar values by key, plus the token strings ({@code tokenizer.ggml.tokens} as a
     * {@code List<String>}) for looking up special tokens; other arrays are skipped. Empty when not a GGUF file.
     */
    static Map<String, Object> metadata(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            LittleEndian le = new LittleEndian(new DataInputStream(in));
            Map<String, Object> meta = new HashMap<>();
            if (le.u32() != 0x46554747) { // "GGUF"
                return meta;
            }
            le.u32(); // version
            le.u64(); // tensor count
            long kvCount = le.u64();
            for (long i = 0; i < kvCount; i++) {
                String key = le.string();
                int type = (int) le.u32();
                Object value = key.equals("tokenizer.ggml.tokens") && type == 9 ? le.strings() : le.value(type);
                if (value != null) {
                    meta.put(key, value);
                }
            }
            return meta;
        }
    }

    private static long number(Map<String, Object> meta, String key) {
        return meta.get(key) instanceof Number n ? n.longValue() : -1;
    }

    /** GGUF is little-endian; DataInputStream is big-endian. */
    private record LittleEndian(DataInputStream in) {
        long u32() throws IOException {
            return Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        }

        long u64() throws IOException {
            return Long.reverseBytes(in.readLong());
        }

        String string() throws IOException {
            long n = u64();
            if (n > 1 << 24) {
                throw new IOException("string too long");
            }
            return new String(in.readNBytes((int) n), StandardCharsets.UTF_8);
        }

        /** An array of strings (or null, skipped, when its elements are not strings). */
        java.util.List<String> strings() throws IOException {
            int elementType = (int) u32();
            long n = u64();
            java.util.List<String> out = elementType == 8 && n < 1 << 22 ? new java.util.ArrayList<>((int) n) : null;
            for (long i = 0; i < n; i++) {
                Object v = value(elementType);
                if (out != null) {
                    out.add((String) v);
                }
            }
            return out;
        }

        /** Reads a value; returns scalars of interest, skips arrays and returns null for them. */
        Object value(int type) throws IOException {
            return switch (type) {
                case 0, 1 -> (long) in.readByte();
                case 2, 3 -> (long) Short.reverseBytes(in.readShort());
                case 4 -> u32();
                case 5 -> (long) Integer.reverseBytes(in.readInt());
                case 6 -> (double) Float.intBitsToFloat(Integer.reverseBytes(in.readInt()));
                case 7 -> in.readByte() != 0;
                case 8 -> string();
                case 9 -> {
                    int elementType = (int) u32();
                    long n = u64();
                    for (long i = 0; i < n; i++) {
                        value(elementType);
                    }
                    yield null;
                }
                case 10, 11 -> u64();
                case 12 -> Double.longBitsToDouble(Long.reverseBytes(in.readLong()));
                default -> throw new IOException("unknown GGUF value type " + type);
            };
        }
    }
}
