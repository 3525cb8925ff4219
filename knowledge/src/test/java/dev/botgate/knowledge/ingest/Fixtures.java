package dev.botgate.knowledge.ingest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSDictionary;
import org.apache.pdfbox.cos.COSInteger;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.PDResources;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.pdmodel.common.PDStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDFontFactory;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFNumbering;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFStyle;
import org.apache.poi.xwpf.usermodel.XWPFStyles;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTAbstractNum;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTDecimalNumber;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTLvl;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTPPrGeneral;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.CTStyle;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.STNumberFormat;
import org.openxmlformats.schemas.wordprocessingml.x2006.main.STStyleType;

/** Real input files written by the real libraries, small enough to build in every test run. */
final class Fixtures {
    private Fixtures() {
    }

    /** A line of text placed at (x, y) in points from the bottom left, in the given font size. */
    record Placed(float x, float y, float size, String text) {
    }

    /**
     * A PDF whose pages hold the given placed text, in a non-embedded Adobe-GB1 CID font (STSong-Light with the
     * UniGB-UCS2-H CMap), so Chinese needs no font file; PDFBox maps it back to Unicode through the Adobe CMaps.
     */
    static byte[] pdf(List<List<Placed>> pages) {
        try (var doc = new PDDocument(); var out = new ByteArrayOutputStream()) {
            var font = PDFontFactory.createFont(cjkFontDictionary());
            for (List<Placed> placed : pages) {
                var page = new PDPage(PDRectangle.A4);
                var resources = new PDResources();
                resources.put(COSName.getPDFName("F1"), font);
                page.setResources(resources);
                var content = new StringBuilder();
                for (Placed p : placed) {
                    content.append("BT /F1 ").append(p.size()).append(" Tf 1 0 0 1 ").append(p.x()).append(' ')
                            .append(p.y()).append(" Tm <").append(ucs2Hex(p.text())).append("> Tj ET\n");
                }
                var stream = new PDStream(doc, new java.io.ByteArrayInputStream(
                        content.toString().getBytes(StandardCharsets.US_ASCII)));
                page.setContents(stream);
                doc.addPage(page);
            }
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ucs2Hex(String s) {
        var sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(String.format("%04X", (int) c));
        }
        return sb.toString();
    }

    private static COSDictionary cjkFontDictionary() {
        var info = new COSDictionary();
        info.setString(COSName.REGISTRY, "Adobe");
        info.setString(COSName.ORDERING, "GB1");
        info.setInt(COSName.SUPPLEMENT, 2);
        var bbox = new COSArray();
        for (int v : new int[] {0, -120, 1000, 880}) {
            bbox.add(COSInteger.get(v));
        }
        var descriptor = new COSDictionary();
        descriptor.setItem(COSName.TYPE, COSName.FONT_DESC);
        descriptor.setName(COSName.FONT_NAME, "STSong-Light");
        descriptor.setInt(COSName.FLAGS, 6);
        descriptor.setItem(COSName.FONT_BBOX, bbox);
        descriptor.setInt(COSName.ITALIC_ANGLE, 0);
        descriptor.setInt(COSName.ASCENT, 880);
        descriptor.setInt(COSName.DESCENT, -120);
        descriptor.setInt(COSName.CAP_HEIGHT, 880);
        descriptor.setInt(COSName.STEM_V, 80);
        // CIDs 1..95 of Adobe-GB1 are the proportional ASCII glyphs: half width; the rest (hanzi) full width.
        var widths = new COSArray();
        widths.add(COSInteger.get(1));
        widths.add(COSInteger.get(95));
        widths.add(COSInteger.get(500));
        var cid = new COSDictionary();
        cid.setItem(COSName.TYPE, COSName.FONT);
        cid.setItem(COSName.SUBTYPE, COSName.getPDFName("CIDFontType0"));
        cid.setName(COSName.BASE_FONT, "STSong-Light");
        cid.setItem(COSName.CIDSYSTEMINFO, info);
        cid.setItem(COSName.FONT_DESC, descriptor);
        cid.setInt(COSName.DW, 1000);
        cid.setItem(COSName.W, widths);
        var descendants = new COSArray();
        descendants.add(cid);
        var font = new COSDictionary();
        font.setItem(COSName.TYPE, COSName.FONT);
        font.setItem(COSName.SUBTYPE, COSName.TYPE0);
        font.setName(COSName.BASE_FONT, "STSong-Light-UniGB-UCS2-H");
        font.setName(COSName.ENCODING, "UniGB-UCS2-H");
        font.setItem(COSName.DESCENDANT_FONTS, descendants);
        return font;
    }

    /** A one-page English PDF in Helvetica, encrypted so that opening it needs {@code userPassword}. */
    static byte[] encryptedPdf(String userPassword) {
        try (var doc = new PDDocument(); var out = new ByteArrayOutputStream()) {
            var page = new PDPage();
            doc.addPage(page);
            try (var cs = new PDPageContentStream(doc, page)) {
                cs.beginText();
                cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                cs.newLineAtOffset(72, 700);
                cs.showText("Confidential price list");
                cs.endText();
            }
            var policy = new StandardProtectionPolicy("owner-secret", userPassword, new AccessPermission());
            policy.setEncryptionKeyLength(128);
            doc.protect(policy);
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PDF with one page and no text at all, as a scanner without OCR makes (a filled rectangle stands in). */
    static byte[] imageOnlyPdf() {
        try (var doc = new PDDocument(); var out = new ByteArrayOutputStream()) {
            var page = new PDPage();
            doc.addPage(page);
            try (var cs = new PDPageContentStream(doc, page)) {
                cs.addRect(50, 50, 400, 600);
                cs.fill();
            }
            doc.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds a .docx paragraph by paragraph. */
    static final class Docx {
        private final XWPFDocument doc = new XWPFDocument();
        private final BigInteger bulletNum;

        Docx() {
            XWPFStyles styles = doc.createStyles();
            for (int level = 1; level <= 3; level++) {
                // Word's built-in heading styles: id "HeadingN", name "heading N", outline level N-1.
                var style = CTStyle.Factory.newInstance();
                style.setStyleId("Heading" + level);
                style.addNewName().setVal("heading " + level);
                style.setType(STStyleType.PARAGRAPH);
                CTPPrGeneral ppr = style.addNewPPr();
                CTDecimalNumber outline = ppr.addNewOutlineLvl();
                outline.setVal(BigInteger.valueOf(level - 1));
                styles.addStyle(new XWPFStyle(style));
            }
            var title = CTStyle.Factory.newInstance();
            title.setStyleId("Title");
            title.addNewName().setVal("Title");
            title.setType(STStyleType.PARAGRAPH);
            styles.addStyle(new XWPFStyle(title));
            XWPFNumbering numbering = doc.createNumbering();
            var abstractNum = CTAbstractNum.Factory.newInstance();
            abstractNum.setAbstractNumId(BigInteger.ZERO);
            CTLvl lvl = abstractNum.addNewLvl();
            lvl.setIlvl(BigInteger.ZERO);
            lvl.addNewNumFmt().setVal(STNumberFormat.BULLET);
            lvl.addNewLvlText().setVal("•");
            BigInteger abstractId = numbering.addAbstractNum(new org.apache.poi.xwpf.usermodel.XWPFAbstractNum(
                    abstractNum));
            bulletNum = numbering.addNum(abstractId);
        }

        Docx styled(String styleId, String text) {
            XWPFParagraph p = doc.createParagraph();
            p.setStyle(styleId);
            p.createRun().setText(text);
            return this;
        }

        Docx title(String text) {
            return styled("Title", text);
        }

        Docx heading(int level, String text) {
            return styled("Heading" + level, text);
        }

        Docx paragraph(String text) {
            doc.createParagraph().createRun().setText(text);
            return this;
        }

        Docx bullet(String text) {
            XWPFParagraph p = doc.createParagraph();
            p.setNumID(bulletNum);
            p.createRun().setText(text);
            return this;
        }

        Docx table(String[]... rows) {
            XWPFTable table = doc.createTable(rows.length, rows[0].length);
            for (int r = 0; r < rows.length; r++) {
                for (int c = 0; c < rows[r].length; c++) {
                    table.getRow(r).getCell(c).setText(rows[r][c]);
                }
            }
            return this;
        }

        byte[] bytes() {
            try (doc; var out = new ByteArrayOutputStream()) {
                doc.write(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** An .xlsx with one sheet per entry of {@code sheets}: name, then rows of cells. */
    static byte[] xlsx(List<String> names, List<List<List<String>>> sheets) {
        try (var book = new XSSFWorkbook(); var out = new ByteArrayOutputStream()) {
            for (int s = 0; s < sheets.size(); s++) {
                var sheet = book.createSheet(names.get(s));
                List<List<String>> rows = sheets.get(s);
                for (int r = 0; r < rows.size(); r++) {
                    var row = sheet.createRow(r);
                    for (int c = 0; c < rows.get(r).size(); c++) {
                        row.createCell(c).setCellValue(rows.get(r).get(c));
                    }
                }
            }
            book.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip of (name, content) pairs, deflated. */
    static byte[] zip(List<String> names, List<byte[]> contents) {
        try (var bytes = new ByteArrayOutputStream(); var zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            for (int i = 0; i < names.size(); i++) {
                zip.putNextEntry(new ZipEntry(names.get(i)));
                zip.write(contents.get(i));
                zip.closeEntry();
            }
            zip.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A zip holding one entry of {@code bytes} zeros: about 1000 times smaller packed than unpacked. */
    static byte[] zipOfZeros(String name, long bytes) {
        try (var out = new ByteArrayOutputStream(); var zip = new ZipOutputStream(out)) {
            zip.setLevel(9);
            zip.putNextEntry(new ZipEntry(name));
            byte[] block = new byte[1 << 20];
            for (long written = 0; written < bytes; written += block.length) {
                zip.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
            zip.closeEntry();
            zip.finish();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<Placed> lines(float x, float top, float size, float leading, String... texts) {
        var out = new ArrayList<Placed>();
        for (int i = 0; i < texts.length; i++) {
            out.add(new Placed(x, top - i * leading, size, texts[i]));
        }
        return out;
    }
}
