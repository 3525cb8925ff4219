package dev.botgate.knowledge.ingest;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * HTML: page chrome (scripts, styles, navigation, header, footer, asides, forms) is dropped; {@code <title>} becomes
 * the title; h1..h6 make the heading path; paragraphs, list items, preformatted text and table rows are blocks.
 */
final class HtmlReader implements FormatReader {
    private static final String CHROME = "script, style, nav, header, footer, aside, form, noscript, template, iframe, "
            + "svg, canvas, select, button, [hidden], [aria-hidden=true], [role=navigation]";
    private static final Set<String> BLOCKS = Set.of("p", "div", "section", "article", "main", "blockquote", "ul",
            "ol", "dl", "dt", "dd", "figure", "figcaption", "address", "hr", "details", "summary", "center", "body",
            "caption", "fieldset", "legend");
    private static final Pattern META_CHARSET =
            Pattern.compile("<meta[^>]+charset\\s*=\\s*[\"']?([A-Za-z0-9_\\-]+)", Pattern.CASE_INSENSITIVE);

    @Override
    public Parsed read(byte[] content) {
        Document doc = Jsoup.parse(decode(content));
        doc.select(CHROME).remove();
        String title = doc.title().strip();
        var walk = new Walk();
        walk.element(doc.body());
        walk.flush();
        return new Parsed(title.isEmpty() ? Optional.empty() : Optional.of(title), walk.units);
    }

    /** A BOM or valid UTF-8 decides; otherwise the page's own {@code <meta charset>}; otherwise GB18030. */
    private static String decode(byte[] b) {
        if (Charsets.isUtf8(b) || (b.length >= 2 && ((b[0] & 0xFF) == 0xFF || (b[0] & 0xFF) == 0xFE))) {
            return Charsets.decode(b);
        }
        String head = new String(b, 0, Math.min(b.length, 4096), StandardCharsets.ISO_8859_1);
        Matcher m = META_CHARSET.matcher(head);
        if (m.find() && Charset.isSupported(m.group(1))) {
            return new String(b, Charset.forName(m.group(1)));
        }
        return Charsets.decode(b);
    }

    private static final class Walk {
        final List<Unit> units = new ArrayList<>();
        final Outline outline = new Outline();
        final StringBuilder buffer = new StringBuilder();
        Unit.Kind kind = Unit.Kind.PARAGRAPH;

        void element(Element e) {
            for (Node child : e.childNodes()) {
                if (child instanceof TextNode t) {
                    buffer.append(t.text());
                } else if (child instanceof Element el) {
                    child(el);
                }
            }
        }

        private void child(Element el) {
            String tag = el.normalName();
            switch (tag) {
                case "h1", "h2", "h3", "h4", "h5", "h6" -> {
                    flush();
                    outline.heading(tag.charAt(1) - '0', el.text());
                }
                case "br" -> buffer.append('\n');
                case "table" -> {
                    flush();
                    table(el);
                }
                case "pre" -> {
                    flush();
                    add(Unit.Kind.CODE, el.wholeText().strip());
                }
                case "li" -> {
                    flush();
                    kind = Unit.Kind.LIST_ITEM;
                    buffer.append("- ");
                    element(el);
                    flush();
                }
                default -> {
                    if (BLOCKS.contains(tag)) {
                        flush();
                        element(el);
                        flush();
                    } else {
                        element(el);
                    }
                }
            }
        }

        /** Rows of this table (not of tables nested in its cells), cells joined so a row stays one block. */
        private void table(Element table) {
            for (Element row : table.select("tr")) {
                if (row.closest("table") != table) {
                    continue;
                }
                var cells = new ArrayList<String>();
                for (Element cell : row.children()) {
                    if (cell.normalName().equals("td") || cell.normalName().equals("th")) {
                        cells.add(cell.text().strip());
                    }
                }
                if (cells.stream().anyMatch(c -> !c.isEmpty())) {
                    add(Unit.Kind.TABLE_ROW, String.join(" | ", cells));
                }
            }
        }

        void flush() {
            String text = Text.tidyLines(buffer.toString());
            if (kind == Unit.Kind.LIST_ITEM && text.equals("-")) {
                text = "";
            }
            add(kind, text);
            buffer.setLength(0);
            kind = Unit.Kind.PARAGRAPH;
        }

        private void add(Unit.Kind k, String text) {
            if (!text.isBlank()) {
                units.add(Unit.Block.of(k, text, outline.path()));
            }
        }
    }
}
