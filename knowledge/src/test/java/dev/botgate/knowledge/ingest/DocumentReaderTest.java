package dev.botgate.knowledge.ingest;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertNotEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

public class DocumentReaderTest {
    private static final ReadLimits SMALL = new ReadLimits(64 * 1024, 10, 1024 * 1024);
    private static final String POLICY_MD = "# 退货政策\n\n七天无理由退货。\n\n## 运费\n\n质量问题由商家承担运费。\n";

    private Path dir;
    private Recorder folder;

    /** Remembers what the listener was told, in order. */
    static final class Recorder implements ReadListener {
        int total = -1;
        final List<Document> documents = new ArrayList<>();
        final Map<String, String> skipped = new LinkedHashMap<>();
        final List<String> order = new ArrayList<>();

        @Override
        public void total(int files) {
            assertEquals(total, -1, "total is told once");
            assertTrue(order.isEmpty(), "total comes first");
            total = files;
        }

        @Override
        public void document(Document document) {
            documents.add(document);
            order.add(document.source());
        }

        @Override
        public void skipped(Skipped s) {
            skipped.put(s.source(), s.reason());
            order.add(s.source());
        }

        Document doc(String source) {
            return documents.stream().filter(d -> d.source().equals(source)).findFirst()
                    .orElseThrow(() -> new AssertionError("no document " + source + "; skipped: " + skipped));
        }

        String reason(String source) {
            String r = skipped.get(source);
            assertTrue(r != null, source + " was not skipped; skipped: " + skipped);
            return r;
        }
    }

    @BeforeClass
    void makeFolder() throws IOException {
        dir = Files.createTempDirectory("ingest-test");
        Path kb = Files.createDirectories(dir.resolve("kb"));
        Files.writeString(kb.resolve("退货政策.md"), POLICY_MD);
        Files.createDirectories(kb.resolve("faq"));
        Files.writeString(kb.resolve("faq/常见问题.csv"), "问题,答案\n如何开发票？,在订单详情页申请。\n");
        byte[] garbage = new byte[2048];
        new Random(3).nextBytes(garbage);
        Files.write(kb.resolve("broken.pdf"), garbage);
        Files.write(kb.resolve("locked.pdf"), Fixtures.encryptedPdf("secret"));
        Files.write(kb.resolve("photo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Files.write(kb.resolve("old.doc"), new byte[] {1, 2, 3});
        Files.writeString(kb.resolve(".DS_Store"), "junk");
        Files.writeString(kb.resolve("blank.txt"), "  \n\n \n");
        Files.writeString(kb.resolve("big.txt"), "很长的文件。".repeat(20_000));
        Files.write(kb.resolve("docs.zip"), Fixtures.zip(
                List.of("售后/换货.md", "notes.txt", "__MACOSX/._notes.txt", "inner.zip"),
                List.of(Fixtures.utf8("# 换货\n\n换货请联系在线客服。"), Fixtures.utf8("Office hours: 9am to 6pm."),
                        new byte[] {0, 1}, Fixtures.zip(List.of("a.txt"), List.of(Fixtures.utf8("a"))))));
        Files.write(kb.resolve("bomb.zip"), Fixtures.zipOfZeros("zeros.txt", 1L << 20));
        var many = new ArrayList<String>();
        var contents = new ArrayList<byte[]>();
        for (int i = 0; i < 20; i++) {
            many.add("f" + i + ".txt");
            contents.add(Fixtures.utf8("file " + i));
        }
        Files.write(kb.resolve("many.zip"), Fixtures.zip(many, contents));
        // Letters compress about 1.7 times: not a ratio bomb, but 1.2 MB unpacked is over a 1 MB total.
        var letters = new StringBuilder();
        var random = new Random(5);
        while (letters.length() < 400 * 1024) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        byte[] text = Fixtures.utf8(letters.toString());
        Files.write(dir.resolve("heavy.zip"), Fixtures.zip(List.of("a.txt", "b.txt", "c.txt"),
                List.of(text, text, text)));
        Files.write(dir.resolve("bomb.zip"), Fixtures.zipOfZeros("zeros.txt", 100L << 20));
        folder = new Recorder();
        new DocumentReader(ChunkingOptions.defaults(), SMALL).readAll(List.of(kb), folder);
    }

    @AfterClass(alwaysRun = true)
    void cleanUp() throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void totalCountsEveryFileToReportAndComesFirst() {
        assertEquals(folder.total, folder.order.size());
        // 8 plain files (.DS_Store ignored), docs.zip's 3 entries (its __MACOSX entry ignored), 2 refused zips.
        assertEquals(folder.total, 13, folder.order.toString());
    }

    @Test
    void filesAreReadInSourceOrderWithSourcesRelativeToTheFolder() {
        var sorted = new ArrayList<>(folder.order);
        sorted.sort(Comparator.naturalOrder());
        assertEquals(folder.order, sorted);
        assertTrue(folder.order.contains("faq/常见问题.csv"), folder.order.toString());
    }

    @Test
    void documentsCarryTitleSourceHashAndHeadingPaths() {
        Document md = folder.doc("退货政策.md");
        assertEquals(md.title(), "退货政策.md");
        assertEquals(md.contentHash(), DocumentReader.hash(Fixtures.utf8(POLICY_MD)));
        assertEquals(md.chunks().get(1).text(), "质量问题由商家承担运费。");
        assertEquals(String.join(" > ", md.chunks().get(1).headingPath()), "退货政策 > 运费");
        Document csv = folder.doc("faq/常见问题.csv");
        assertEquals(csv.title(), "常见问题.csv");
        assertEquals(csv.chunks().getFirst().answer(), "在订单详情页申请。");
    }

    @Test
    void zipEntriesAreReadWithTheArchiveInTheirSource() {
        Document inZip = folder.doc("docs.zip/售后/换货.md");
        assertEquals(inZip.title(), "换货.md");
        assertEquals(inZip.chunks().getFirst().headingPath(), List.of("换货"));
        assertEquals(folder.doc("docs.zip/notes.txt").chunks().getFirst().text(), "Office hours: 9am to 6pm.");
        assertFalse(folder.order.stream().anyMatch(s -> s.contains("MACOSX")), "resource forks are ignored");
        assertTrue(folder.reason("docs.zip/inner.zip").contains("a .zip inside a .zip is not expanded"));
    }

    @Test
    void damagedAndEncryptedPdfsAreSkippedWithTheirReasons() {
        assertTrue(folder.reason("broken.pdf").startsWith("the PDF is damaged or not a PDF"));
        assertEquals(folder.reason("locked.pdf"),
                "the PDF is password-protected; remove the password and import again");
    }

    @Test
    void unsupportedTypesListWhatIsSupported() {
        assertEquals(folder.reason("photo.png"), "unsupported file type .png; supported: .pdf, .docx, .md, "
                + ".markdown, .html, .htm, .txt, .csv, .xlsx, .zip");
        assertTrue(folder.reason("old.doc").startsWith("unsupported file type .doc; save it as .docx in Word"));
        assertFalse(folder.order.contains(".DS_Store"));
    }

    @Test
    void overTheSizeLimitSaysTheLimit() {
        assertEquals(folder.reason("big.txt"),
                "over the size limit of 64 KB (the file is 351.6 KB); split it or raise the limit");
    }

    @Test
    void blankFileSaysThereIsNoText() {
        assertEquals(folder.reason("blank.txt"), "no text found in the file; nothing to import");
    }

    @Test
    void zipBombsAreRefusedByTheirExpansionRatio() {
        assertEquals(folder.reason("bomb.zip"), "refused as a possible zip bomb: 'zeros.txt' expands more than 100 "
                + "times its packed size; unpack it yourself and import the folder, or raise the limits");
        assertFalse(folder.order.stream().anyMatch(s -> s.startsWith("bomb.zip/")), "nothing read from a bomb");
    }

    @Test
    void aHundredMegabytesOfZerosIsCaughtUnderTheDefaultLimitsToo() {
        var rec = new Recorder();
        new DocumentReader(ChunkingOptions.defaults(), ReadLimits.defaults())
                .readAll(List.of(dir.resolve("bomb.zip")), rec);
        assertEquals(rec.total, 1);
        assertTrue(rec.reason("bomb.zip").startsWith("refused as a possible zip bomb: 'zeros.txt' expands more"),
                rec.reason("bomb.zip"));
    }

    @Test
    void zipsWithTooManyEntriesAreRefused() {
        assertTrue(folder.reason("many.zip").startsWith("refused as a possible zip bomb: it has more than 10 entries"),
                folder.reason("many.zip"));
        assertFalse(folder.order.stream().anyMatch(s -> s.startsWith("many.zip/")), "nothing read from it");
    }

    @Test
    void zipsThatExpandPastTheTotalAreRefused() {
        var rec = new Recorder();
        new DocumentReader(ChunkingOptions.defaults(), new ReadLimits(512 * 1024, 10, 1024 * 1024))
                .readAll(List.of(dir.resolve("heavy.zip")), rec);
        assertEquals(rec.reason("heavy.zip"), "refused as a possible zip bomb: it expands to more than 1 MB; unpack "
                + "it yourself and import the folder, or raise the limits");
        assertTrue(rec.documents.isEmpty());
    }

    @Test
    void aFileGivenDirectlyIsItsOwnSourceAndAMissingPathIsReported() throws IOException {
        var rec = new Recorder();
        Path file = dir.resolve("kb/退货政策.md");
        new DocumentReader(ChunkingOptions.defaults(), SMALL)
                .readAll(List.of(file, dir.resolve("nope.md"), dir.resolve("kb/docs.zip")), rec);
        assertEquals(rec.total, 5);
        assertEquals(rec.doc("退货政策.md").title(), "退货政策.md");
        assertTrue(rec.reason("nope.md").startsWith("not found: "), rec.reason("nope.md"));
        assertEquals(rec.doc("docs.zip/notes.txt").title(), "notes.txt");
    }

    @Test
    void aLinkOutOfTheFolderIsSkippedNotFollowed() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        Path secret = Files.writeString(outside.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Path folder = Files.createDirectories(dir.resolve("linked"));
        Files.writeString(folder.resolve("ok.md"), POLICY_MD);
        Files.createSymbolicLink(folder.resolve("passwd.txt"), secret);
        Files.createSymbolicLink(folder.resolve("etc"), outside);
        Files.createSymbolicLink(folder.resolve("again.md"), folder.resolve("ok.md"));
        var rec = new Recorder();
        new DocumentReader(ChunkingOptions.defaults(), SMALL).readAll(List.of(folder), rec);
        assertTrue(rec.reason("passwd.txt").contains("outside the imported folder"), rec.skipped.toString());
        assertTrue(rec.reason("etc").contains("outside the imported folder"), rec.skipped.toString());
        assertTrue(rec.documents.stream().noneMatch(d -> d.chunks().stream().anyMatch(c -> c.text().contains("root:"))),
                "the outside file's text is never read");
        assertEquals(rec.doc("ok.md").title(), "ok.md");
        assertEquals(rec.doc("again.md").contentHash(), rec.doc("ok.md").contentHash(), "a link inside is read");
    }

    @Test
    void anExcludedFolderIsNeverRead() throws IOException {
        Path parent = Files.createDirectories(dir.resolve("parent"));
        Path data = Files.createDirectories(parent.resolve("data"));
        Files.writeString(parent.resolve("ok.md"), POLICY_MD);
        Files.writeString(data.resolve("synonyms.txt"), "secret,keys");
        var rec = new Recorder();
        new DocumentReader(ChunkingOptions.defaults(), SMALL).readAll(List.of(parent, data.resolve("synonyms.txt")),
                java.util.Set.of(data), rec);
        assertEquals(rec.documents.stream().map(Document::source).toList(), List.of("ok.md"), rec.skipped.toString());
        assertTrue(rec.reason("data").contains("never imported"), rec.skipped.toString());
        assertTrue(rec.reason("synonyms.txt").contains("never imported"), rec.skipped.toString());
    }

    @Test
    void theSameSourceTwiceInOneImportIsReadOnce() {
        var rec = new Recorder();
        Path file = dir.resolve("kb/退货政策.md");
        new DocumentReader(ChunkingOptions.defaults(), SMALL).readAll(List.of(file, file), rec);
        assertEquals(rec.documents.size(), 1);
        assertTrue(rec.reason("退货政策.md").contains("already read in this import"));
    }

    @Test
    void readOfAnUploadedZipSaysToImportItAsAnArchive() {
        var reader = new DocumentReader(ChunkingOptions.defaults(), SMALL);
        var e = expectThrows(IngestException.class, () -> reader.read("upload.zip", new byte[] {1}));
        assertTrue(e.getMessage().startsWith("a .zip holds several files"), e.getMessage());
    }

    @Test
    void changedContentChangesTheHashAndSameContentKeepsIt() {
        var reader = new DocumentReader(ChunkingOptions.defaults(), SMALL);
        Document a = reader.read("p.txt", Fixtures.utf8("第一版。"));
        Document b = reader.read("p.txt", Fixtures.utf8("第一版。"));
        Document c = reader.read("p.txt", Fixtures.utf8("第二版。"));
        assertEquals(a.contentHash(), b.contentHash());
        assertNotEquals(a.contentHash(), c.contentHash());
    }

    @Test
    void emptyOrTruncatedFilesOfEveryTypeGiveAReasonNeverAnotherException() {
        var reader = new DocumentReader(ChunkingOptions.defaults(), SMALL);
        byte[] truncatedDocx = java.util.Arrays.copyOf(new Fixtures.Docx().paragraph("x").bytes(), 300);
        for (String ext : List.of("pdf", "docx", "md", "markdown", "html", "htm", "txt", "csv", "xlsx")) {
            for (byte[] content : List.of(new byte[0], truncatedDocx)) {
                try {
                    Document d = reader.read("f." + ext, content);
                    throw new AssertionError("." + ext + " of " + content.length + " bytes gave a document: " + d);
                } catch (IngestException e) {
                    assertFalse(e.getMessage().isBlank(), "." + ext + ": blank reason");
                }
            }
        }
    }

    @Test
    void zipEntryNamesInGbkFromChineseWindowsAreDecoded() throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(bytes, java.nio.charset.Charset.forName("GBK"))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("售后/退货说明.txt"));
            zip.write(Fixtures.utf8("七天无理由退货。"));
            zip.closeEntry();
        }
        Path file = dir.resolve("资料.zip");
        Files.write(file, bytes.toByteArray());
        var rec = new Recorder();
        new DocumentReader(ChunkingOptions.defaults(), SMALL).readAll(List.of(file), rec);
        assertEquals(rec.doc("资料.zip/售后/退货说明.txt").chunks().getFirst().text(), "七天无理由退货。");
        Files.delete(file);
    }

    @Test
    void readOfAnUploadOverTheLimitSaysTheLimit() {
        var reader = new DocumentReader(ChunkingOptions.defaults(), SMALL);
        var e = expectThrows(IngestException.class, () -> reader.read("big.md", new byte[100 * 1024]));
        assertEquals(e.getMessage(), "over the size limit of 64 KB (the file is 100 KB); split it or raise the limit");
    }

    @Test
    void plainTextParagraphsAreSeparatedByBlankLines() {
        Document doc = new DocumentReader(new ChunkingOptions(50, 0), SMALL).read("notes.txt", Fixtures.utf8(
                "第一段第一行，\n第一段第二行。\n\n第二段的内容比较长，一共有好几句话。这是第二句话。这是第三句话，还在第二段。"));
        assertEquals(doc.chunks().get(0).text(), "第一段第一行，\n第一段第二行。");
        assertTrue(doc.chunks().get(1).text().startsWith("第二段的内容比较长"), doc.chunks().toString());
    }
}
