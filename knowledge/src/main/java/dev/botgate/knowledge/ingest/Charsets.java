package dev.botgate.knowledge.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Decodes text files whose encoding nobody declared: a BOM wins, then strict UTF-8, then GB18030 (a GBK superset). */
final class Charsets {
    static final Charset GB18030 = Charset.forName("GB18030");

    private Charsets() {
    }

    static String decode(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xEF && (b[1] & 0xFF) == 0xBB && (b[2] & 0xFF) == 0xBF) {
            return new String(b, 3, b.length - 3, StandardCharsets.UTF_8);
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xFE) {
            return new String(b, 2, b.length - 2, StandardCharsets.UTF_16LE);
        }
        if (b.length >= 2 && (b[0] & 0xFF) == 0xFE && (b[1] & 0xFF) == 0xFF) {
            return new String(b, 2, b.length - 2, StandardCharsets.UTF_16BE);
        }
        if (isUtf8(b)) {
            return new String(b, StandardCharsets.UTF_8);
        }
        return new String(b, GB18030);
    }

    static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** True when the bytes look like binary data rather than text (NUL bytes in the first 8 KiB). */
    static boolean looksBinary(byte[] b) {
        byte[] head = Arrays.copyOf(b, Math.min(b.length, 8192));
        boolean utf16 = head.length >= 2 && ((head[0] & 0xFF) == 0xFF || (head[0] & 0xFF) == 0xFE);
        if (utf16) {
            return false;
        }
        for (byte x : head) {
            if (x == 0) {
                return true;
            }
        }
        return false;
    }
}
