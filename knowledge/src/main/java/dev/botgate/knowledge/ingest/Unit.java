package dev.botgate.knowledge.ingest;

import java.util.List;

/** What a format reader hands the chunker: a block of text in its section, or one Q&amp;A pair. */
sealed interface Unit permits Unit.Block, Unit.QaPair {

    /** Headings above the unit, outermost first. */
    List<String> headingPath();

    /**
     * A paragraph, list item, table row or code block.
     *
     * @param page 1-based PDF page, 0 when the format has no pages
     */
    record Block(Kind kind, String text, List<String> headingPath, int page) implements Unit {
        public Block {
            headingPath = List.copyOf(headingPath);
        }

        static Block of(Kind kind, String text, List<String> headingPath) {
            return new Block(kind, text, headingPath, 0);
        }
    }

    /** One Q&amp;A row: the question first, then extra phrasings; the answer as written. */
    record QaPair(List<String> questions, String answer, List<String> headingPath) implements Unit {
        public QaPair {
            questions = List.copyOf(questions);
            headingPath = List.copyOf(headingPath);
        }
    }

    /** How a block may be cut. */
    enum Kind {
        /** Prose: cut at sentence boundaries when too long. */
        PARAGRAPH,
        /** A list item: a unit like a paragraph. */
        LIST_ITEM,
        /** A table row, cells joined: never cut unless it alone exceeds the hard limit. */
        TABLE_ROW,
        /** Code or preformatted text: cut at line ends only. */
        CODE
    }
}
