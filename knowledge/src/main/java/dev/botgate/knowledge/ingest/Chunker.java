package dev.botgate.knowledge.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Structure-aware chunking. A chunk never spans two sections (heading path, and page for PDFs). Inside a section,
 * blocks (paragraphs, list items, table rows) are packed whole up to the target; a block longer than the target is
 * cut at sentence boundaries, a sentence longer than the hard limit at a comma, then whitespace, then anywhere. The
 * last sentences of a chunk, up to the overlap, open the next chunk of the same section. No chunk exceeds
 * {@link ChunkingOptions#MAX_CHUNK_TOKENS} by {@link ChunkingOptions#tokenUpperBound}.
 */
final class Chunker {
    private static final String SENTENCE_END_CJK = "。！？；…";
    private static final String CLOSERS = "”’」』）)】]\"'》";
    private static final String COMMAS = "，,、；;：:";

    private final ChunkingOptions options;

    Chunker(ChunkingOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * A piece of a block that is never cut further.
     *
     * @param startsBlock the first piece of its block: joined to what precedes it by a newline
     * @param atomic      a whole table row: repeated as overlap only whole
     */
    record Piece(String text, boolean startsBlock, boolean atomic) {
    }

    /** Chunks the units of one document, in order; ordinals start at 0. */
    List<Chunk> chunk(List<Unit> units) {
        var out = new ArrayList<Chunk>();
        var section = new Section(out);
        for (Unit unit : units) {
            switch (unit) {
                case Unit.QaPair qa -> {
                    section.close();
                    out.add(qaChunk(out.size(), qa));
                }
                case Unit.Block block -> {
                    if (block.text().isBlank()) {
                        continue;
                    }
                    if (!section.accepts(block)) {
                        section.close();
                        section.open(block.headingPath(), block.page());
                    }
                    section.add(block);
                }
            }
        }
        section.close();
        return out;
    }

    /** The chunk being filled, in one section. */
    private final class Section {
        private final List<Chunk> out;
        private List<String> headingPath = List.of();
        private int page = -1;
        private final List<Piece> current = new ArrayList<>();
        /** How many leading pieces of {@link #current} are overlap carried from the previous chunk. */
        private int carried;

        Section(List<Chunk> out) {
            this.out = out;
        }

        boolean accepts(Unit.Block block) {
            return page == block.page() && headingPath.equals(block.headingPath());
        }

        void open(List<String> path, int newPage) {
            headingPath = path;
            page = newPage;
        }

        void close() {
            emit();
            current.clear();
            carried = 0;
            page = -1;
        }

        void add(Unit.Block block) {
            List<Piece> pieces = pieces(block);
            String whole = assemble(pieces);
            // A block that fits the target travels as one group; a longer one is packed piece by piece.
            if (pieces.size() == 1 || fitsTarget(whole)) {
                addGroup(pieces);
            } else {
                for (Piece p : pieces) {
                    addGroup(List.of(p));
                }
            }
        }

        private void addGroup(List<Piece> group) {
            boolean hasNew = current.size() > carried;
            if (hasNew && fitsTarget(join(current, group))) {
                current.addAll(group);
                return;
            }
            if (hasNew) {
                List<Piece> overlap = overlap(current);
                emit();
                current.clear();
                current.addAll(overlap);
                carried = overlap.size();
            }
            // Overlap yields to content: drop carried sentences until the group fits (a group that alone exceeds
            // the target still fits the hard limit, and goes alone).
            while (carried > 0 && !fitsTarget(join(current, group))) {
                current.removeFirst();
                carried--;
                if (!current.isEmpty()) {
                    Piece first = current.getFirst();
                    current.set(0, new Piece(first.text(), true, first.atomic()));
                }
            }
            current.addAll(group);
        }

        private void emit() {
            if (current.size() <= carried) {
                return;
            }
            String text = assemble(current);
            if (!text.isBlank()) {
                out.add(new Chunk(out.size(), Chunk.Kind.PASSAGE, text, headingPath, Math.max(page, 0), List.of(), ""));
            }
        }
    }

    /** Trailing whole sentences up to the overlap; failing that, trailing clauses of the last sentence. */
    private List<Piece> overlap(List<Piece> chunk) {
        int budget = options.overlapChars();
        if (budget == 0 || chunk.isEmpty()) {
            return List.of();
        }
        var taken = new ArrayList<Piece>();
        int used = 0;
        for (int i = chunk.size() - 1; i >= 0; i--) {
            Piece p = chunk.get(i);
            int len = p.text().strip().length();
            if (used + len > budget) {
                break;
            }
            taken.addFirst(p);
            used += len;
            if (p.startsBlock()) {
                break;   // do not reach back across a block boundary
            }
        }
        if (taken.isEmpty()) {
            Piece last = chunk.getLast();
            if (last.atomic()) {
                return List.of();
            }
            List<String> clauses = splitAfter(last.text(), COMMAS);
            var tail = new StringBuilder();
            for (int i = clauses.size() - 1; i >= 1; i--) {
                if (tail.length() + clauses.get(i).length() > budget) {
                    break;
                }
                tail.insert(0, clauses.get(i));
            }
            String t = tail.toString().stripLeading();
            return t.isEmpty() ? List.of() : List.of(new Piece(t, true, false));
        }
        Piece first = taken.getFirst();
        taken.set(0, new Piece(first.text().stripLeading(), true, first.atomic()));
        return taken;
    }

    private boolean fitsTarget(String text) {
        return text.length() <= options.targetChars()
                && ChunkingOptions.tokenUpperBound(text) <= ChunkingOptions.MAX_CHUNK_TOKENS;
    }

    private boolean fitsHard(String text) {
        return text.length() <= options.hardChars()
                && ChunkingOptions.tokenUpperBound(text) <= ChunkingOptions.MAX_CHUNK_TOKENS;
    }

    private static String join(List<Piece> a, List<Piece> b) {
        var all = new ArrayList<Piece>(a.size() + b.size());
        all.addAll(a);
        all.addAll(b);
        return assemble(all);
    }

    /** Pieces of one block are concatenated as written; blocks are separated by a newline. */
    static String assemble(List<Piece> pieces) {
        var sb = new StringBuilder();
        for (Piece p : pieces) {
            if (p.startsBlock() && !sb.isEmpty()) {
                stripTrailing(sb);
                sb.append('\n');
                sb.append(p.text().stripLeading());
            } else {
                sb.append(p.text());
            }
        }
        return sb.toString().strip();
    }

    private static void stripTrailing(StringBuilder sb) {
        int n = sb.length();
        while (n > 0 && Character.isWhitespace(sb.charAt(n - 1))) {
            n--;
        }
        sb.setLength(n);
    }

    /** Cuts a block into pieces that each fit the hard limit. */
    List<Piece> pieces(Unit.Block block) {
        String text = block.text().strip();
        var raw = new ArrayList<String>();
        switch (block.kind()) {
            case TABLE_ROW -> {
                if (fitsHard(text)) {
                    return List.of(new Piece(text, true, true));
                }
                for (String cell : splitAfter(text, "|")) {
                    raw.addAll(cut(cell));
                }
            }
            case CODE -> {
                for (String line : splitAfter(text, "\n")) {
                    raw.addAll(cut(line));
                }
            }
            case PARAGRAPH, LIST_ITEM -> {
                for (String sentence : sentences(text)) {
                    raw.addAll(cut(sentence));
                }
            }
        }
        var pieces = new ArrayList<Piece>(raw.size());
        for (String r : raw) {
            if (!r.isBlank()) {
                pieces.add(new Piece(r, pieces.isEmpty(), false));
            }
        }
        return pieces;
    }

    /** A piece over the hard limit: clauses at commas, then words at whitespace, then fixed-size cuts. */
    private List<String> cut(String piece) {
        if (fitsHard(piece)) {
            return List.of(piece);
        }
        var out = new ArrayList<String>();
        List<String> clauses = splitAfter(piece, COMMAS);
        for (String clause : clauses) {
            if (fitsHard(clause)) {
                out.add(clause);
                continue;
            }
            for (String word : splitAtWhitespace(clause)) {
                if (fitsHard(word)) {
                    out.add(word);
                } else {
                    out.addAll(hardCut(word));
                }
            }
        }
        return out;
    }

    /** Fixed-size pieces of at most the target (and the token bound), never splitting a surrogate pair. */
    private List<String> hardCut(String s) {
        int size = Math.min(options.targetChars(), ChunkingOptions.MAX_CHUNK_TOKENS);
        var out = new ArrayList<String>();
        int start = 0;
        while (start < s.length()) {
            int end = Math.min(s.length(), start + size);
            if (end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
                end--;
            }
            out.add(s.substring(start, end));
            start = end;
        }
        return out;
    }

    /** Words with the whitespace after them, so that concatenation restores the text. */
    private static List<String> splitAtWhitespace(String s) {
        var out = new ArrayList<String>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            if (Character.isWhitespace(s.charAt(i))) {
                while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                    i++;
                }
                out.add(s.substring(start, i));
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Splits after each character of {@code marks} (and any whitespace that follows), keeping every character. */
    static List<String> splitAfter(String s, String marks) {
        var out = new ArrayList<String>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (marks.indexOf(s.charAt(i)) >= 0) {
                int end = i + 1;
                while (end < s.length() && Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '\n') {
                    end++;
                }
                out.add(s.substring(start, end));
                start = end;
                i = end - 1;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /**
     * Sentences with their terminators, closing quotes and trailing whitespace. Boundaries: after 。！？；… (and
     * runs of them); after . ! ? followed by whitespace; after ! ? followed by CJK text; at every newline.
     */
    static List<String> sentences(String s) {
        var out = new ArrayList<String>();
        int start = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int end = -1;
            if (c == '\n') {
                end = i + 1;
            } else if (SENTENCE_END_CJK.indexOf(c) >= 0) {
                end = afterClosers(s, skipRun(s, i, SENTENCE_END_CJK + "!?"));
            } else if (c == '.' || c == '!' || c == '?') {
                int after = afterClosers(s, skipRun(s, i, ".!?"));
                if (after >= n || Character.isWhitespace(s.charAt(after))
                        || (c != '.' && Text.isCjk(s.codePointAt(after)))) {
                    end = after;
                }
            }
            if (end < 0) {
                i++;
                continue;
            }
            while (end < n && Character.isWhitespace(s.charAt(end)) && s.charAt(end) != '\n') {
                end++;
            }
            if (end < n && s.charAt(end) == '\n' && c != '\n') {
                end++;
            }
            out.add(s.substring(start, end));
            start = end;
            i = end;
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }

    private static int skipRun(String s, int i, String marks) {
        int j = i;
        while (j < s.length() && marks.indexOf(s.charAt(j)) >= 0) {
            j++;
        }
        return j;
    }

    private static int afterClosers(String s, int i) {
        int j = i;
        while (j < s.length() && CLOSERS.indexOf(s.charAt(j)) >= 0) {
            j++;
        }
        return j;
    }

    /** Question, extra phrasings and answer, cut to the token bound; the full answer stays in {@code answer}. */
    private static Chunk qaChunk(int ordinal, Unit.QaPair qa) {
        String text = String.join("\n", qa.questions()) + "\n" + qa.answer().strip();
        return new Chunk(ordinal, Chunk.Kind.QA, fitTokens(text.strip()), qa.headingPath(), 0, qa.questions(),
                qa.answer().strip());
    }

    /** The longest prefix within the token bound, ending at a sentence boundary when one is near. */
    static String fitTokens(String text) {
        if (ChunkingOptions.tokenUpperBound(text) <= ChunkingOptions.MAX_CHUNK_TOKENS) {
            return text;
        }
        int count = 0;
        int end = 0;
        while (end < text.length()) {
            int cp = text.codePointAt(end);
            if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
                if (count == ChunkingOptions.MAX_CHUNK_TOKENS) {
                    break;
                }
                count++;
            }
            end += Character.charCount(cp);
        }
        String prefix = text.substring(0, end);
        int cut = -1;
        for (int i = prefix.length() - 1; i >= prefix.length() * 2 / 3; i--) {
            char c = prefix.charAt(i);
            if (SENTENCE_END_CJK.indexOf(c) >= 0 || c == '\n' || ((c == '.' || c == '!' || c == '?')
                    && i + 1 < prefix.length() && Character.isWhitespace(prefix.charAt(i + 1)))) {
                cut = i + 1;
                break;
            }
        }
        return (cut > 0 ? prefix.substring(0, cut) : prefix).strip();
    }
}
