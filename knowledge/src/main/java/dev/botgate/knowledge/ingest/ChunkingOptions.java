package dev.botgate.knowledge.ingest;

/**
 * How passages are cut.
 *
 * <p>Whatever the target, no chunk ever exceeds {@link #MAX_CHUNK_TOKENS} by {@link #tokenUpperBound}: the embedding
 * model (bge-small-zh-v1.5) reads at most 510 tokens and silently drops the rest, so a longer chunk would lose its
 * tail. A sentence longer than the hard limit ({@code 2 * targetChars}, and the token bound) is cut at a comma, then
 * at whitespace, then anywhere.
 *
 * @param targetChars a chunk grows up to this many characters, ending at a sentence boundary
 * @param overlapChars trailing sentences up to this many characters are repeated at the start of the next chunk
 */
public record ChunkingOptions(int targetChars, int overlapChars) {
    public ChunkingOptions {
        if (targetChars < 50 || targetChars > 2000) {
            throw new IllegalArgumentException("chunk target must be 50..2000 characters, got " + targetChars);
        }
        if (overlapChars < 0 || overlapChars >= targetChars) {
            throw new IllegalArgumentException("chunk overlap must be 0..target-1, got " + overlapChars);
        }
    }

    /**
     * Most tokens one chunk may take, by {@link #tokenUpperBound}: 510 that the model reads, less room for the
     * index to prepend a short context such as the heading path.
     */
    public static final int MAX_CHUNK_TOKENS = 480;

    /** Default target in characters (about 300 CJK characters, 1-2 short paragraphs). */
    public static final int DEFAULT_TARGET_CHARS = 300;

    /** Default overlap in characters: about one short sentence. */
    public static final int DEFAULT_OVERLAP_CHARS = 50;

    /** Defaults (to be set by measurement, see bench/RESULTS.md). */
    public static ChunkingOptions defaults() {
        return new ChunkingOptions(DEFAULT_TARGET_CHARS, DEFAULT_OVERLAP_CHARS);
    }

    /**
     * An upper bound on the tokens the BERT WordPiece tokenizer of bge-small-zh-v1.5 makes of {@code text}
     * (without [CLS]/[SEP]): the count of non-whitespace code points. It holds because that tokenizer makes one token
     * per CJK character and per punctuation mark, and splits every other word into pieces of at least one character
     * (or one [UNK]). Real text is far below it for English (about 0.3 tokens per character) and equal to it for
     * Chinese.
     */
    public static int tokenUpperBound(CharSequence text) {
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                n++;
            }
            i += Character.charCount(cp);
        }
        return n;
    }

    /** A single piece (sentence, row, line) longer than this, or over the token bound, is cut. */
    int hardChars() {
        return 2 * targetChars;
    }
}
