package dev.botgate.backend.store;

import dev.botgate.backend.store.ModelRefusedException.Reason;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a GGUF file's header, metadata and tensor table, never its weights: a 4 GB model costs a few megabytes of
 * reading (mostly the vocabulary, whose strings are skipped but counted).
 *
 * <p>Format: <a href="https://github.com/ggml-org/ggml/blob/master/docs/gguf.md">ggml/docs/gguf.md</a>. Versions 2
 * and 3, little-endian, as llama.cpp reads them.
 *
 * <p>Besides reading, it refuses what llama.cpp's GGUF reader ({@code gguf.cpp}) would refuse or abort the process
 * on: {@code general.alignment} of another type than u32 (a {@code GGML_ASSERT}) or not a power of two, duplicate
 * keys or tensor names, more than 4 dimensions, dimensions or sizes whose arithmetic overflows, a row size that is not
 * a whole number of blocks, and tensor data that does not follow on from the previous tensor's (so an offset past the
 * end of the file). Every size is computed with exact arithmetic.
 */
public final class GgufFile {
    private static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    private static final long MAX_STRING = 64L << 20; // longer metadata strings mean a corrupt file
    private static final long MAX_TENSORS = 1L << 20;
    private static final long MAX_DIMS = 4; // GGML_MAX_DIMS
    private static final String[] VALUE_TYPES = {"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string",
            "array", "u64", "i64", "f64"};
    private static final int[] VALUE_SIZES = {1, 1, 2, 2, 4, 4, 4, 1, -1, -1, 8, 8, 8};

    private GgufFile() {
    }

    /**
     * Reads the header of {@code file}.
     *
     * @throws ModelRefusedException when the file is not GGUF, of an unsupported version, or its header is truncated
     *                               or corrupt (a file whose tensor data is short reads fine: see
     *                               {@link GgufInfo#complete()})
     * @throws StoreException        when the file cannot be read
     */
    public static GgufInfo read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new Parser(file, channel).parse();
        } catch (NoSuchFileException e) {
            throw new StoreException("model file " + file + " does not exist");
        } catch (IOException e) {
            throw new StoreException("cannot read model file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Name of a ggml tensor type, as llama.cpp prints it; {@code type<N>} for a number it does not know. */
    static String typeName(int type) {
        GgmlType t = GgmlType.of(type);
        return t == null ? "type" + type : t.name();
    }

    /** llama.cpp's name for a {@code general.file_type}, e.g. 15 is {@code Q4_K_M}. */
    static String fileTypeName(int fileType) {
        return switch (fileType) {
            case -1 -> "unknown";
            case 0 -> "F32";
            case 1 -> "F16";
            case 2 -> "Q4_0";
            case 3 -> "Q4_1";
            case 4 -> "Q4_1_SOME_F16";
            case 7 -> "Q8_0";
            case 8 -> "Q5_0";
            case 9 -> "Q5_1";
            case 10 -> "Q2_K";
            case 11 -> "Q3_K_S";
            case 12 -> "Q3_K_M";
            case 13 -> "Q3_K_L";
            case 14 -> "Q4_K_S";
            case 15 -> "Q4_K_M";
            case 16 -> "Q5_K_S";
            case 17 -> "Q5_K_M";
            case 18 -> "Q6_K";
            case 19 -> "IQ2_XXS";
            case 20 -> "IQ2_XS";
            case 21 -> "Q2_K_S";
            case 22 -> "IQ3_XS";
            case 23 -> "IQ3_XXS";
            case 24 -> "IQ1_S";
            case 25 -> "IQ4_NL";
            case 26 -> "IQ3_S";
            case 27 -> "IQ3_M";
            case 28 -> "IQ2_S";
            case 29 -> "IQ2_M";
            case 30 -> "IQ4_XS";
            case 31 -> "IQ1_M";
            case 32 -> "BF16";
            case 33 -> "Q4_0_4_4";
            case 34 -> "Q4_0_4_8";
            case 35 -> "Q4_0_8_8";
            case 36 -> "TQ1_0";
            case 37 -> "TQ2_0";
            case 38 -> "MXFP4_MOE";
            default -> "FT" + fileType;
        };
    }

    /**
     * ggml tensor types with their block size (elements) and block bytes, from ggml.c's type traits. {@code inBundled}
     * marks the types the bundled llama.cpp b4916 can load: later builds removed the Q4_0_x_y repacks and added MXFP4.
     */
    enum GgmlType {
        F32(0, 1, 4), F16(1, 1, 2), Q4_0(2, 32, 18), Q4_1(3, 32, 20), Q5_0(6, 32, 22), Q5_1(7, 32, 24),
        Q8_0(8, 32, 34), Q8_1(9, 32, 36), Q2_K(10, 256, 84), Q3_K(11, 256, 110), Q4_K(12, 256, 144),
        Q5_K(13, 256, 176), Q6_K(14, 256, 210), Q8_K(15, 256, 292), IQ2_XXS(16, 256, 66), IQ2_XS(17, 256, 74),
        IQ3_XXS(18, 256, 98), IQ1_S(19, 256, 50), IQ4_NL(20, 32, 18), IQ3_S(21, 256, 110), IQ2_S(22, 256, 82),
        IQ4_XS(23, 256, 136), I8(24, 1, 1), I16(25, 1, 2), I32(26, 1, 4), I64(27, 1, 8), F64(28, 1, 8),
        IQ1_M(29, 256, 56), BF16(30, 1, 2), TQ1_0(34, 256, 54), TQ2_0(35, 256, 66), MXFP4(39, 32, 17, false);

        final int id;
        final int blockSize;
        final int blockBytes;
        final boolean inBundled;

        GgmlType(int id, int blockSize, int blockBytes) {
            this(id, blockSize, blockBytes, true);
        }

        GgmlType(int id, int blockSize, int blockBytes, boolean inBundled) {
            this.id = id;
            this.blockSize = blockSize;
            this.blockBytes = blockBytes;
            this.inBundled = inBundled;
        }

        static GgmlType of(int id) {
            for (GgmlType t : values()) {
                if (t.id == id) {
                    return t;
                }
            }
            return null;
        }
    }

    private static final class Parser {
        private final Path file;
        private final FileChannel channel;
        private final long size;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        private long bufStart; // file offset of buf[0]

        Parser(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.channel = channel;
            this.size = channel.size();
            buf.limit(0);
        }

        GgufInfo parse() throws IOException {
            if (size < 4) {
                throw notGguf();
            }
            int magic;
            try {
                magic = i32();
            } catch (EOFException e) {
                throw notGguf();
            }
            if (magic != MAGIC) {
                throw notGguf();
            }
            try {
                return parseAfterMagic();
            } catch (EOFException e) {
                throw new ModelRefusedException(Reason.TRUNCATED, file.getFileName() + " is truncated: its GGUF header "
                        + "goes past the end of the file (" + size + " bytes); download or copy it again");
            }
        }

        private GgufInfo parseAfterMagic() throws IOException {
            int version = i32();
            if (version == 1) {
                throw new ModelRefusedException(Reason.UNSUPPORTED_VERSION, file.getFileName()
                        + " is GGUF version 1, which llama.cpp no longer reads; convert it again with a current "
                        + "llama.cpp (convert_hf_to_gguf.py) or download a newer file");
            }
            if (Integer.reverseBytes(version) >= 1 && Integer.reverseBytes(version) <= 3) {
                throw new ModelRefusedException(Reason.UNSUPPORTED_VERSION, file.getFileName()
                        + " is a big-endian GGUF file; llama.cpp on this machine reads little-endian GGUF only");
            }
            if (version < 1 || version > 3) {
                throw new ModelRefusedException(Reason.UNSUPPORTED_VERSION, file.getFileName() + " is GGUF version "
                        + Integer.toUnsignedString(version) + "; this Botgate reads versions 2 and 3");
            }
            long tensorCount = i64();
            long kvCount = i64();
            if (tensorCount < 0 || tensorCount > MAX_TENSORS || kvCount < 0 || kvCount > size) {
                throw corrupt("implausible counts (" + tensorCount + " tensors, " + kvCount + " metadata keys)");
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            Map<String, String> types = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string();
                if (meta.containsKey(key)) {
                    throw corrupt("metadata key '" + clip(key) + "' appears twice");
                }
                int type = i32();
                Object value = value(type, key);
                meta.put(key, value);
                types.put(key, value instanceof GgufInfo.Array a ? "array[" + a.type() + "]" : VALUE_TYPES[type]);
            }
            long alignment = alignment(meta, types);
            long parameters = 0;
            long relativeEnd = 0;
            long nextOffset = 0; // where the next tensor's data must start, as gguf.cpp demands
            boolean sizesKnown = true;
            Set<String> names = new HashSet<>();
            Map<String, Long> tensorTypes = new TreeMap<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string();
                if (!names.add(name)) {
                    throw corrupt("tensor '" + clip(name) + "' appears twice");
                }
                int dims = i32();
                if (dims < 0 || dims > MAX_DIMS) {
                    throw invalid("tensor '" + clip(name) + "' has " + Integer.toUnsignedString(dims)
                            + " dimensions (at most " + MAX_DIMS + ")");
                }
                long elements = 1;
                long rowLength = 1;
                for (int d = 0; d < dims; d++) {
                    long n = i64();
                    if (n < 0) {
                        throw corrupt("tensor '" + clip(name) + "' has a negative dimension");
                    }
                    if (d == 0) {
                        rowLength = n;
                    }
                    try {
                        elements = Math.multiplyExact(elements, n);
                    } catch (ArithmeticException e) {
                        throw invalid("tensor '" + clip(name) + "' has dimensions whose product overflows 64 bits");
                    }
                }
                int type = i32();
                long offset = i64();
                GgmlType t = GgmlType.of(type);
                tensorTypes.merge(typeName(type), 1L, Long::sum);
                try {
                    parameters = Math.addExact(parameters, elements);
                    if (t == null) {
                        sizesKnown = false; // ModelCheck refuses the unknown type; its size cannot be told
                        continue;
                    }
                    if (rowLength % t.blockSize != 0) {
                        throw corrupt("tensor '" + clip(name) + "' has rows of " + rowLength + " elements, not a "
                                + "multiple of the " + t.blockSize + "-element blocks of type " + t.name());
                    }
                    long bytes = Math.multiplyExact(elements / t.blockSize, (long) t.blockBytes);
                    if (sizesKnown && offset != nextOffset) {
                        throw invalid("tensor '" + clip(name) + "' says its data starts at offset " + offset
                                + ", but it must start at " + nextOffset + ", right after the previous tensor's data");
                    }
                    long end = Math.addExact(offset, bytes);
                    nextOffset = align(end, alignment);
                    relativeEnd = Math.max(relativeEnd, end);
                } catch (ArithmeticException e) {
                    throw invalid("the size or position of tensor '" + clip(name) + "' overflows 64 bits");
                }
            }
            long dataStart = align(position(), alignment);
            long dataEnd;
            try {
                dataEnd = Math.addExact(dataStart, relativeEnd);
            } catch (ArithmeticException e) {
                throw invalid("its tensor data would end beyond 2^63 bytes");
            }
            String arch = meta.get("general.architecture") instanceof String s ? s : "";
            int fileType = meta.get("general.file_type") instanceof Long f ? f.intValue() : -1;
            return new GgufInfo(version, tensorCount, arch, str(meta, "general.name"), parameters, fileType,
                    fileTypeName(fileType), num(meta, arch + ".context_length"), num(meta, arch + ".embedding_length"),
                    num(meta, arch + ".block_count"), num(meta, arch + ".attention.head_count"),
                    num(meta, arch + ".attention.head_count_kv"),
                    meta.get("tokenizer.ggml.tokens") instanceof GgufInfo.Array a ? a.length() : 0,
                    optional(meta, "tokenizer.chat_template"), optional(meta, "general.license"),
                    meta.get(arch + ".pooling_type") instanceof Long p ? PoolingType.of(p) : PoolingType.UNSPECIFIED,
                    tensorTypes, meta, types, dataEnd, size);
        }

        /**
         * {@code general.alignment}: llama.cpp reads it with {@code gguf_get_val_u32}, which aborts the process
         * ({@code GGML_ASSERT}) when the value has another type, and refuses 0 or a value that is not a power of two.
         */
        private long alignment(Map<String, Object> meta, Map<String, String> types) {
            if (!meta.containsKey("general.alignment")) {
                return 32;
            }
            String type = types.get("general.alignment");
            if (!type.equals("u32")) {
                throw invalid("general.alignment is stored as " + type + "; llama.cpp reads it only as u32 and aborts "
                        + "the process on any other type");
            }
            long a = (Long) meta.get("general.alignment");
            if (a == 0 || (a & (a - 1)) != 0) {
                throw invalid("general.alignment is " + a + ", not a power of two");
            }
            return a;
        }

        private Object value(int type, String key) throws IOException {
            return switch (type) {
                case 0 -> (long) (u8());
                case 1 -> (long) (byte) u8();
                case 2 -> (long) (i16() & 0xFFFF);
                case 3 -> (long) i16();
                case 4 -> i32() & 0xFFFFFFFFL;
                case 5 -> (long) i32();
                case 6 -> (double) Float.intBitsToFloat(i32());
                case 7 -> u8() != 0;
                case 8 -> string();
                case 9 -> array(key);
                case 10, 11 -> i64();
                case 12 -> Double.longBitsToDouble(i64());
                default -> throw corrupt("metadata key '" + key + "' has unknown value type " + type);
            };
        }

        private GgufInfo.Array array(String key) throws IOException {
            int type = i32();
            long length = i64();
            if (type < 0 || type >= VALUE_TYPES.length || type == 9 || length < 0) {
                throw corrupt("metadata array '" + key + "' has element type " + type + " and length " + length);
            }
            if (type == 8) {
                for (long i = 0; i < length; i++) {
                    skip(i64());
                }
            } else {
                long bytes = Math.multiplyExact(length, (long) VALUE_SIZES[type]);
                skip(bytes);
            }
            return new GgufInfo.Array(VALUE_TYPES[type], length);
        }

        private String string() throws IOException {
            long length = i64();
            if (length < 0 || length > MAX_STRING) {
                if (length > size - position()) {
                    throw new EOFException();
                }
                throw corrupt("a metadata string is " + length + " bytes long");
            }
            byte[] bytes = new byte[(int) length];
            int done = 0;
            while (done < bytes.length) {
                fill(1);
                int n = Math.min(buf.remaining(), bytes.length - done);
                buf.get(bytes, done, n);
                done += n;
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private int u8() throws IOException {
            fill(1);
            return buf.get() & 0xFF;
        }

        private short i16() throws IOException {
            fill(2);
            return buf.getShort();
        }

        private int i32() throws IOException {
            fill(4);
            return buf.getInt();
        }

        private long i64() throws IOException {
            fill(8);
            return buf.getLong();
        }

        private void skip(long n) throws IOException {
            if (n < 0) {
                throw corrupt("negative length");
            }
            if (n <= buf.remaining()) {
                buf.position(buf.position() + (int) n);
                return;
            }
            long target = position() + n;
            if (target > size) {
                throw new EOFException();
            }
            bufStart = target;
            buf.clear().limit(0);
        }

        private long position() {
            return bufStart + buf.position();
        }

        /** Ensures {@code n} bytes are buffered, reading on from the current position. */
        private void fill(int n) throws IOException {
            if (buf.remaining() >= n) {
                return;
            }
            long pos = position();
            buf.compact(); // buf[0] is now the byte at pos
            bufStart = pos;
            while (buf.position() < n) {
                int read = channel.read(buf, bufStart + buf.position());
                if (read < 0) {
                    throw new EOFException();
                }
            }
            buf.flip();
        }

        private ModelRefusedException notGguf() {
            return new ModelRefusedException(Reason.NOT_GGUF, file.getFileName() + " is not a GGUF model file (it does "
                    + "not start with 'GGUF'" + describeStart() + "); Botgate runs GGUF files only, e.g. from a "
                    + "'-GGUF' repository on Hugging Face");
        }

        private String describeStart() {
            try {
                ByteBuffer head = ByteBuffer.allocate(16);
                channel.read(head, 0);
                String text = new String(head.array(), 0, head.position(), StandardCharsets.ISO_8859_1).trim();
                if (text.startsWith("<")) {
                    return ": it looks like an HTML page, perhaps a login or error page";
                }
                if (text.startsWith("{") || text.startsWith("[")) {
                    return ": it looks like JSON";
                }
                return "";
            } catch (IOException e) {
                return "";
            }
        }

        private ModelRefusedException corrupt(String what) {
            return new ModelRefusedException(Reason.TRUNCATED, file.getFileName() + " has a corrupt GGUF header: "
                    + what + "; download or copy it again");
        }

        private ModelRefusedException invalid(String what) {
            return new ModelRefusedException(Reason.INVALID, file.getFileName() + " cannot be loaded safely: " + what
                    + "; llama.cpp would fail or abort on it, so Botgate refuses the file");
        }

        /** {@code n} rounded up to a multiple of {@code alignment}, failing on overflow. */
        private static long align(long n, long alignment) {
            return Math.multiplyExact(Math.floorDiv(Math.addExact(n, alignment - 1), alignment), alignment);
        }

        /** A name from the file, cut short for messages: a hostile file may hold megabytes in one. */
        private static String clip(String s) {
            return s.length() <= 80 ? s : s.substring(0, 80) + "…";
        }

        private static long num(Map<String, Object> meta, String key) {
            return meta.get(key) instanceof Long l ? l : 0;
        }

        private static String str(Map<String, Object> meta, String key) {
            return meta.get(key) instanceof String s ? s : "";
        }

        private static Optional<String> optional(Map<String, Object> meta, String key) {
            return meta.get(key) instanceof String s && !s.isEmpty() ? Optional.of(s) : Optional.empty();
        }
    }
}
