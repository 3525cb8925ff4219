package dev.botgate.knowledge.ingest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.pdfbox.text.TextPosition;

/**
 * PDF (PDFBox): text in reading order (sorted by position), lines grouped into paragraphs by spacing, headings found
 * by font size, and table rows found by wide gaps between cells (two or more such lines in a row make a table), each
 * row kept as one block with its cells joined by {@code " | "}. Page numbers travel with every block; running page
 * numbers ("- 3 -", "第 3 页", "Page 3 of 9") are dropped.
 */
final class PdfReader implements FormatReader {
    /** A gap wider than this many times the font size separates two table cells. */
    private static final double CELL_GAP_EMS = 1.2;
    /** Baseline distance above this many times the font size starts a new paragraph. */
    private static final double PARAGRAPH_GAP_EMS = 1.6;
    /** A line this much larger than the body text, and short, is a heading. */
    private static final double HEADING_SCALE = 1.15;
    private static final int HEADING_MAX_CHARS = 80;
    private static final Pattern PAGE_NUMBER = Pattern.compile(
            "(?i)^[-–—\\s]*(\\d{1,4}|第\\s*\\d+\\s*页(\\s*[/，,]?\\s*共\\s*\\d+\\s*页)?|page\\s+\\d+(\\s+of\\s+\\d+)?"
                    + "|\\d+\\s*/\\s*\\d+)[-–—\\s]*$");
    private static final Pattern SPACED_CELLS = Pattern.compile("\\s{3,}|\\t+");
    private static final String SENTENCE_END = "。！？.!?；;:：";

    @Override
    public Parsed read(byte[] content) throws IOException {
        PDDocument doc;
        try {
            doc = Loader.loadPDF(content);
        } catch (InvalidPasswordException e) {
            throw new IngestException("the PDF is password-protected; remove the password and import again", e);
        }
        try (doc) {
            var collector = new LineCollector();
            collector.setSortByPosition(true);
            collector.getText(doc);
            List<Line> lines = collector.lines;
            if (lines.stream().allMatch(l -> l.text().isBlank())) {
                throw new IngestException("no text found in this PDF: it is probably scanned images, and OCR is not "
                        + "supported; import a PDF with selectable text, or the text itself");
            }
            return Parsed.of(layout(lines));
        }
    }

    /** A word as PDFBox grouped it, with where it sits. */
    record Word(String text, float x0, float x1, float y, float fontSize) {
    }

    /** One visual line of one page: its cells are runs of words separated by wide gaps. */
    record Line(int page, float y, float fontSize, float x1, List<String> cells) {
        String text() {
            return String.join(" ", cells);
        }

        boolean isRow() {
            return cells.size() >= 2;
        }
    }

    /** Collects words and line ends instead of writing text, keeping positions and font sizes. */
    private static final class LineCollector extends PDFTextStripper {
        final List<Line> lines = new ArrayList<>();
        private final List<Word> words = new ArrayList<>();

        @Override
        protected void writeString(String text, List<TextPosition> positions) {
            if (positions.isEmpty() || text.isBlank()) {
                return;
            }
            TextPosition first = positions.getFirst();
            TextPosition last = positions.getLast();
            float size = 0;
            for (TextPosition p : positions) {
                size = Math.max(size, p.getFontSizeInPt());
            }
            words.add(new Word(text, first.getXDirAdj(), last.getXDirAdj() + last.getWidthDirAdj(),
                    first.getYDirAdj(), size));
        }

        @Override
        protected void writeWordSeparator() {
            // gaps are measured from positions instead
        }

        @Override
        protected void writeLineSeparator() {
            endLine();
        }

        @Override
        protected void endPage(PDPage page) throws IOException {
            endLine();
            super.endPage(page);
        }

        private void endLine() {
            if (words.isEmpty()) {
                return;
            }
            float size = 0;
            for (Word w : words) {
                size = Math.max(size, w.fontSize());
            }
            var cells = new ArrayList<String>();
            var cell = new StringBuilder();
            Word prev = null;
            for (Word w : words) {
                if (prev != null && w.x0() - prev.x1() > CELL_GAP_EMS * Math.max(size, 1)) {
                    cells.add(cell.toString());
                    cell.setLength(0);
                }
                // Cells laid out with runs of spaces inside one string are cells too.
                String[] parts = SPACED_CELLS.split(w.text().strip());
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0) {
                        cells.add(cell.toString());
                        cell.setLength(0);
                    }
                    cell.replace(0, cell.length(), Text.joinWrapped(cell.toString(), parts[i].strip()));
                }
                prev = w;
            }
            cells.add(cell.toString());
            cells.removeIf(String::isBlank);
            if (!cells.isEmpty()) {
                lines.add(new Line(getCurrentPageNo(), words.getFirst().y(), size, words.getLast().x1(), cells));
            }
            words.clear();
        }
    }

    /** Lines to blocks: page numbers dropped, headings, tables (two or more row lines), paragraphs by spacing. */
    static List<Unit> layout(List<Line> all) {
        List<Line> lines = all.stream().filter(l -> !PAGE_NUMBER.matcher(l.text()).matches()).toList();
        float body = bodySize(lines);
        var headingSizes = new TreeSet<Float>((a, b) -> Float.compare(b, a));
        for (Line l : lines) {
            if (isHeading(l, body)) {
                headingSizes.add(round(l.fontSize()));
            }
        }
        var levels = new HashMap<Float, Integer>();
        for (Float s : headingSizes) {
            levels.put(s, levels.size() + 1);
        }
        var units = new ArrayList<Unit>();
        var outline = new Outline();
        var paragraph = new StringBuilder();
        Line prev = null;
        int paragraphPage = 0;
        Map<Integer, Float> rightEdge = rightEdges(lines);
        for (int i = 0; i < lines.size(); i++) {
            Line l = lines.get(i);
            boolean row = l.isRow() && (isRowAt(lines, i - 1, l.page()) || isRowAt(lines, i + 1, l.page()));
            boolean heading = !row && isHeading(l, body);
            boolean newParagraph = row || heading || prev == null || prev.page() != l.page()
                    || prev.isRow() || isHeading(prev, body)
                    || l.y() - prev.y() > PARAGRAPH_GAP_EMS * Math.max(prev.fontSize(), l.fontSize())
                    || Math.abs(l.fontSize() - prev.fontSize()) > 1.5f
                    || endsShort(prev, rightEdge.get(prev.page()));
            if (newParagraph) {
                addParagraph(units, paragraph, outline, paragraphPage);
                paragraphPage = l.page();
            }
            if (heading) {
                // A heading wrapped over two lines of the same size is one heading.
                if (prev != null && isHeading(prev, body) && round(prev.fontSize()) == round(l.fontSize())
                        && prev.page() == l.page()) {
                    String joined = Text.joinWrapped(outline.path().isEmpty() ? "" : outline.path().getLast(),
                            l.text());
                    outline.heading(levels.get(round(l.fontSize())), joined);
                } else {
                    outline.heading(levels.get(round(l.fontSize())), l.text());
                }
            } else if (row) {
                units.add(new Unit.Block(Unit.Kind.TABLE_ROW, String.join(" | ", l.cells()), outline.path(),
                        l.page()));
            } else {
                String text = l.text().strip();
                if (paragraph.length() > 0 && paragraph.charAt(paragraph.length() - 1) == '-' && !text.isEmpty()
                        && Character.isLowerCase(text.charAt(0))) {
                    paragraph.setLength(paragraph.length() - 1);   // a word hyphenated at the line end
                    paragraph.append(text);
                } else {
                    String joined = Text.joinWrapped(paragraph.toString(), text);
                    paragraph.setLength(0);
                    paragraph.append(joined);
                }
            }
            prev = l;
        }
        addParagraph(units, paragraph, outline, paragraphPage);
        return units;
    }

    private static void addParagraph(List<Unit> units, StringBuilder paragraph, Outline outline, int page) {
        String text = paragraph.toString().strip();
        if (!text.isEmpty()) {
            units.add(new Unit.Block(Unit.Kind.PARAGRAPH, text, outline.path(), page));
        }
        paragraph.setLength(0);
    }

    private static boolean isRowAt(List<Line> lines, int i, int page) {
        return i >= 0 && i < lines.size() && lines.get(i).page() == page && lines.get(i).isRow();
    }

    private static boolean isHeading(Line l, float body) {
        String t = l.text().strip();
        return !l.isRow() && l.fontSize() >= body * HEADING_SCALE && t.length() <= HEADING_MAX_CHARS
                && t.codePoints().anyMatch(Character::isLetter);
    }

    /** A line that ends a sentence well before the right margin ends its paragraph. */
    private static boolean endsShort(Line l, float rightEdge) {
        String t = l.text().strip();
        return !t.isEmpty() && SENTENCE_END.indexOf(t.charAt(t.length() - 1)) >= 0
                && l.x1() < rightEdge - 3 * l.fontSize();
    }

    private static Map<Integer, Float> rightEdges(List<Line> lines) {
        var edges = new HashMap<Integer, Float>();
        for (Line l : lines) {
            if (!l.isRow()) {
                edges.merge(l.page(), l.x1(), Math::max);
            }
        }
        for (Line l : lines) {
            edges.putIfAbsent(l.page(), l.x1());
        }
        return edges;
    }

    /** The font size that carries the most characters. */
    private static float bodySize(List<Line> lines) {
        var chars = new HashMap<Float, Integer>();
        for (Line l : lines) {
            chars.merge(round(l.fontSize()), l.text().length(), Integer::sum);
        }
        return chars.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(10f);
    }

    private static float round(float size) {
        return Math.round(size * 2) / 2f;
    }
}
