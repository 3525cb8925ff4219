package dev.botgate.knowledge.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.commonmark.node.BlockQuote;
import org.commonmark.node.BulletList;
import org.commonmark.node.Code;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.HardLineBreak;
import org.commonmark.node.Heading;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.ListBlock;
import org.commonmark.node.ListItem;
import org.commonmark.node.Node;
import org.commonmark.node.OrderedList;
import org.commonmark.node.Paragraph;
import org.commonmark.node.SoftLineBreak;
import org.commonmark.node.Text;
import org.commonmark.parser.Parser;
import org.jsoup.Jsoup;

/** Markdown (CommonMark): headings make the heading path; paragraphs, list items, code blocks and pipe tables. */
final class MarkdownReader implements FormatReader {
    private static final Pattern FRONT_MATTER = Pattern.compile("\\A---\\R.*?\\R(---|\\.\\.\\.)\\R", Pattern.DOTALL);
    private static final Pattern TABLE_DELIMITER = Pattern.compile("^\\s*\\|?\\s*:?-+:?\\s*(\\|\\s*:?-+:?\\s*)*\\|?\\s*$");

    private final Parser parser = Parser.builder().build();

    @Override
    public Parsed read(byte[] content) {
        if (Charsets.looksBinary(content)) {
            throw new IngestException("this is not a Markdown text file (it contains binary data); check the file type");
        }
        return Parsed.of(units(Charsets.decode(content)));
    }

    List<Unit> units(String markdown) {
        String body = FRONT_MATTER.matcher(markdown).replaceFirst("");
        var walk = new Walk();
        walk.blocks(parser.parse(body));
        return walk.units;
    }

    private static final class Walk {
        final List<Unit> units = new ArrayList<>();
        final Outline outline = new Outline();

        void blocks(Node parent) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
                block(n);
            }
        }

        void block(Node n) {
            switch (n) {
                case Heading h -> outline.heading(h.getLevel(), lines(inline(h)));
                case Paragraph p -> paragraph(inline(p));
                case ListBlock list -> list(list);
                case FencedCodeBlock c -> add(Unit.Kind.CODE, c.getLiteral());
                case IndentedCodeBlock c -> add(Unit.Kind.CODE, c.getLiteral());
                case HtmlBlock h -> add(Unit.Kind.PARAGRAPH, Jsoup.parse(h.getLiteral()).text());
                case BlockQuote q -> blocks(q);
                default -> blocks(n);
            }
        }

        void list(ListBlock list) {
            int number = list instanceof OrderedList ol && ol.getMarkerStartNumber() != null
                    ? ol.getMarkerStartNumber() : 1;
            for (Node item = list.getFirstChild(); item != null; item = item.getNext()) {
                if (!(item instanceof ListItem)) {
                    continue;
                }
                String marker = list instanceof BulletList ? "- " : (number++) + ". ";
                var text = new StringBuilder();
                var nested = new ArrayList<Node>();
                for (Node c = item.getFirstChild(); c != null; c = c.getNext()) {
                    if (c instanceof Paragraph p) {
                        text.append(text.isEmpty() ? "" : "\n").append(lines(inline(p)));
                    } else {
                        nested.add(c);
                    }
                }
                if (!text.isEmpty()) {
                    add(Unit.Kind.LIST_ITEM, marker + text);
                }
                nested.forEach(this::block);
            }
        }

        void paragraph(String raw) {
            String[] lines = raw.split("\n");
            if (lines.length >= 2 && lines[0].contains("|") && TABLE_DELIMITER.matcher(lines[1]).matches()) {
                for (int i = 0; i < lines.length; i++) {
                    if (i != 1) {
                        add(Unit.Kind.TABLE_ROW, row(lines[i]));
                    }
                }
                return;
            }
            add(Unit.Kind.PARAGRAPH, lines(raw));
        }

        static String row(String line) {
            String t = line.strip();
            if (t.startsWith("|")) {
                t = t.substring(1);
            }
            if (t.endsWith("|") && !t.endsWith("\\|")) {
                t = t.substring(0, t.length() - 1);
            }
            var cells = new ArrayList<String>();
            for (String cell : t.split("(?<!\\\\)\\|")) {
                cells.add(cell.strip().replace("\\|", "|"));
            }
            return String.join(" | ", cells);
        }

        void add(Unit.Kind kind, String text) {
            String t = kind == Unit.Kind.CODE ? text.strip() : dev.botgate.knowledge.ingest.Text.tidyLines(text);
            if (!t.isBlank()) {
                units.add(Unit.Block.of(kind, t, outline.path()));
            }
        }

        /** Soft line breaks become '\n' here so that tables can be seen; {@link #lines} joins them afterwards. */
        static String inline(Node parent) {
            var sb = new StringBuilder();
            inline(parent, sb);
            return sb.toString();
        }

        private static void inline(Node parent, StringBuilder sb) {
            for (Node n = parent.getFirstChild(); n != null; n = n.getNext()) {
                switch (n) {
                    case Text t -> sb.append(t.getLiteral());
                    case Code c -> sb.append(c.getLiteral());
                    case SoftLineBreak s -> sb.append('\n');
                    case HardLineBreak h -> sb.append('\uE000');
                    case HtmlInline h -> {
                        // tags carry no text of their own
                    }
                    default -> inline(n, sb);
                }
            }
        }

        /** Joins soft-wrapped lines the way the reader sees them; hard breaks stay line ends. */
        static String lines(String raw) {
            String joined = "";
            for (String line : raw.split("\n")) {
                joined = dev.botgate.knowledge.ingest.Text.joinWrapped(joined, line.strip());
            }
            return joined.replace('\uE000', '\n');
        }
    }
}
