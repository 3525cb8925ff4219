package dev.botgate.knowledge.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.poi.xwpf.usermodel.IBodyElement;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFSDT;
import org.apache.poi.xwpf.usermodel.XWPFStyle;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.apache.poi.xwpf.usermodel.XWPFTableCell;
import org.apache.poi.xwpf.usermodel.XWPFTableRow;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTDecimalNumber;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTPPrGeneral;

/**
 * Word .docx: headings from paragraph styles (Title, Heading 1..9, localised style ids) or outline levels make the
 * heading path; paragraphs, list items and table rows are blocks.
 */
final class DocxReader implements FormatReader {
    private static final Pattern HEADING = Pattern.compile("(?:heading|标题)\\s*(\\d)");

    @Override
    public Parsed read(byte[] content) throws IOException {
        try (var doc = new XWPFDocument(new ByteArrayInputStream(content))) {
            var units = new ArrayList<Unit>();
            var outline = new Outline();
            for (IBodyElement element : doc.getBodyElements()) {
                switch (element) {
                    case XWPFParagraph p -> paragraph(doc, p, outline, units);
                    case XWPFTable t -> table(t, outline, units);
                    case XWPFSDT sdt -> PlainTextReader.units(sdt.getContent().getText()).forEach(u ->
                            units.add(Unit.Block.of(Unit.Kind.PARAGRAPH, ((Unit.Block) u).text(), outline.path())));
                    default -> {
                    }
                }
            }
            return Parsed.of(units);
        }
    }

    private static void paragraph(XWPFDocument doc, XWPFParagraph p, Outline outline, List<Unit> units) {
        String text = Text.tidyLines(p.getText());
        if (text.isEmpty()) {
            return;
        }
        int level = headingLevel(doc, p);
        if (level >= 0) {
            outline.heading(level, text);
        } else if (p.getNumID() != null) {
            units.add(Unit.Block.of(Unit.Kind.LIST_ITEM, "- " + text, outline.path()));
        } else {
            units.add(Unit.Block.of(Unit.Kind.PARAGRAPH, text, outline.path()));
        }
    }

    /** 0 for Title, n for Heading n or outline level n-1, -1 for body text. */
    static int headingLevel(XWPFDocument doc, XWPFParagraph p) {
        var ppr = p.getCTP().getPPr();
        if (ppr != null && ppr.getOutlineLvl() != null) {
            return outlineLevel(ppr.getOutlineLvl());
        }
        String id = p.getStyleID();
        if (id == null) {
            return -1;
        }
        XWPFStyle style = doc.getStyles() == null ? null : doc.getStyles().getStyle(id);
        for (String name : new String[] {style == null ? null : style.getName(), id}) {
            if (name == null) {
                continue;
            }
            String n = name.toLowerCase(Locale.ROOT);
            if (n.equals("title") || n.equals("标题")) {
                return 0;
            }
            Matcher m = HEADING.matcher(n);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        if (style != null && style.getCTStyle().getPPr() != null) {
            CTPPrGeneral stylePpr = style.getCTStyle().getPPr();
            if (stylePpr.getOutlineLvl() != null) {
                return outlineLevel(stylePpr.getOutlineLvl());
            }
        }
        return -1;
    }

    /** Word's outline levels are 0-based, 9 meaning body text. */
    private static int outlineLevel(CTDecimalNumber lvl) {
        int v = lvl.getVal() == null ? 9 : lvl.getVal().intValue();
        return v >= 9 ? -1 : v + 1;
    }

    private static void table(XWPFTable table, Outline outline, List<Unit> units) {
        for (XWPFTableRow row : table.getRows()) {
            var cells = new ArrayList<String>();
            for (XWPFTableCell cell : row.getTableCells()) {
                cells.add(Text.collapseSpaces(cell.getText()).strip());
            }
            if (cells.stream().anyMatch(c -> !c.isEmpty())) {
                units.add(Unit.Block.of(Unit.Kind.TABLE_ROW, String.join(" | ", cells), outline.path()));
            }
        }
    }
}
