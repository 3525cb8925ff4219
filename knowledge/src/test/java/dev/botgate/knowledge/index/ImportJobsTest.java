package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.ReadListener;
import dev.botgate.knowledge.ingest.Skipped;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.testng.annotations.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

public class ImportJobsTest {

    @Test
    public void aJobReportsProgressSkippedFilesAndDedupesOnRerun() throws Exception {
        Path root = TestModel.tempDir("kb-jobs");
        try (KnowledgeBases bases = new KnowledgeBases(root, TestModel.embedder(),
                KnowledgeOptions.builder().commitChunks(2).build())) {
            bases.create("jobs");
            DocumentSource source = listener -> {
                listener.total(3);
                listener.document(TestDocs.passages("a.md", List.of(), "第一篇讲退货。", "第二段讲运费。"));
                listener.skipped(new Skipped("broken.pdf", "the PDF is encrypted; remove the password and import again"));
                listener.document(TestDocs.qa("faq.csv", List.of(List.of("发票怎么开？", "在订单页申请。"))));
            };
            ImportJob first = await(bases, bases.submit("jobs", source, Set.of("t1")));
            assertEquals(first.state(), ImportJob.State.DONE, "the job finishes: " + first.error());
            assertEquals(first.filesTotal(), 3, "total files");
            assertEquals(first.filesDone(), 3, "all files done");
            assertEquals(first.documentsAdded(), 2, "two documents added");
            assertEquals(first.chunks(), 3L, "three chunks embedded");
            assertEquals(first.skipped().size(), 1, "the broken file is reported");
            assertTrue(first.skipped().getFirst().reason().contains("encrypted"), "with its reason");
            assertTrue(bases.jobs().stream().anyMatch(j -> j.id().equals(first.id())), "jobs are listed");

            ImportJob again = await(bases, bases.submit("jobs", source, Set.of("t1")));
            assertEquals(again.documentsUnchanged(), 2, "the same import again changes nothing");
            assertEquals(again.chunks(), 0L, "and embeds nothing");
            assertEquals(bases.info("jobs").chunks(), 3, "no duplicates");
        }
    }

    @Test
    public void importsRealFilesFromAFolderAndFromUploads() throws Exception {
        Path root = TestModel.tempDir("kb-files");
        Path folder = Files.createDirectories(root.resolve("docs"));
        Files.writeString(folder.resolve("退货政策.md"), "# 退货政策\n\n## 运费\n\n质量问题退货，来回运费由商家承担。\n");
        Files.writeString(folder.resolve("faq.csv"), "question,answer\n发票怎么开？,在订单详情页申请电子发票。\n");
        Files.write(folder.resolve("notes.exe"), new byte[] {0x4d, 0x5a});
        try (KnowledgeBases bases = new KnowledgeBases(root.resolve("kb"), TestModel.embedder(),
                KnowledgeOptions.defaults())) {
            bases.create("files");
            ImportJob job = await(bases, bases.startImport("files", List.of(folder), Set.of()));
            assertEquals(job.state(), ImportJob.State.DONE, job.error());
            assertEquals(job.documentsAdded(), 2, "the Markdown and the CSV become documents: " + job);
            assertEquals(job.skipped().size(), 1, "the unsupported file is skipped: " + job.skipped());
            SearchHit policy = bases.search(SearchRequest.builder("质量问题退货运费").bases("files").build())
                    .getFirst();
            assertEquals(policy.title(), "退货政策.md", "a file's title is its name");
            assertEquals(policy.headingPath(), List.of("退货政策", "运费"), "Markdown headings become the path");
            SearchHit invoice = bases.search(SearchRequest.builder("发票怎么开").bases("files").build()).getFirst();
            assertTrue(invoice.directAnswer(), "the CSV row is a Q&A entry answered directly");

            ImportJob upload = await(bases, bases.startUpload("files", List.of(
                    new Upload("积分.txt", "积分可以在结算时抵扣现金。".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                    new Upload("bad.docx", new byte[] {1, 2, 3})), Set.of("upload")));
            assertEquals(upload.documentsAdded(), 1, "the text upload is imported: " + upload);
            assertEquals(upload.skipped().size(), 1, "the corrupt .docx is skipped: " + upload.skipped());
            assertEquals(upload.skipped().getFirst().source(), "bad.docx", "and named");
        }
    }

    @Test
    public void aFailingSourceFailsTheJobWithItsMessage() throws Exception {
        Path root = TestModel.tempDir("kb-jobs-fail");
        try (KnowledgeBases bases = new KnowledgeBases(root, TestModel.embedder(), KnowledgeOptions.defaults())) {
            bases.create("fail");
            ImportJob job = await(bases, bases.submit("fail", listener -> {
                throw new IllegalStateException("disk unplugged");
            }, Set.of()));
            assertEquals(job.state(), ImportJob.State.FAILED, "the job fails");
            assertEquals(job.error(), "disk unplugged", "and says why");
        }
    }

    @Test
    public void importRefusesAMissingPathAndAnUnknownBase() throws Exception {
        Path root = TestModel.tempDir("kb-jobs-bad");
        try (KnowledgeBases bases = new KnowledgeBases(root, TestModel.embedder(), KnowledgeOptions.defaults())) {
            bases.create("bad");
            KnowledgeException missing = expectThrows(KnowledgeException.class,
                    () -> bases.startImport("bad", List.of(root.resolve("nope.md")), Set.of()));
            assertTrue(missing.getMessage().contains("nothing to import"), missing.getMessage());
            KnowledgeException unknown = expectThrows(KnowledgeException.class,
                    () -> bases.startUpload("nobase", List.of(new Upload("a.txt", new byte[1])), Set.of()));
            assertTrue(unknown.getMessage().contains("does not exist"), unknown.getMessage());
        }
    }

    @Test
    public void anIndexBuiltWithAnotherModelIsRefused() throws Exception {
        Path root = TestModel.tempDir("kb-model");
        try (KnowledgeBases bases = new KnowledgeBases(root, TestModel.embedder(), KnowledgeOptions.defaults())) {
            bases.create("m");
        }
        // No second real model is available offline; a stand-in with another id and dimension is enough here,
        // since the check happens on open, before anything is embedded.
        try (KnowledgeBases other = new KnowledgeBases(root, new OtherModel(), KnowledgeOptions.defaults())) {
            KnowledgeException e = expectThrows(KnowledgeException.class, () -> other.info("m"));
            assertTrue(e.getMessage().contains("bge-small-zh-v1.5") && e.getMessage().contains("other-model"),
                    "the message names both models: " + e.getMessage());
            BaseInfo listed = other.list().getFirst();
            assertEquals(listed.name(), "m", "the base is still listed");
            assertEquals(listed.problem(), e.getMessage(), "with the reason it cannot be used");
        }
    }

    @Test(timeOut = 180_000)
    public void aKilledImportLeavesWholeDocumentsAndARerunCompletesIt() throws Exception {
        Path root = TestModel.tempDir("kb-crash");
        Path index = root.resolve(ImportChild.BASE).resolve("index");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ImportChild.class.getName(),
                root.toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("child.log").toFile()).start();
        try {
            // Kill once a few commits are durable, while later documents are still being embedded and written.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (committedDocuments(index) < 10) {
                assertTrue(child.isAlive(), "the child import is still running: " + Files.readString(
                        root.resolve("child.log")));
                assertTrue(System.nanoTime() < deadline, "the child committed documents in time");
                Thread.sleep(20);
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }

        Map<String, Integer> visible = chunksPerDocument(index);
        assertTrue(visible.size() < ImportChild.DOCUMENTS, "killed mid-import: " + visible.size() + " documents");
        visible.forEach((doc, chunks) -> assertEquals(chunks.intValue(), ImportChild.CHUNKS_PER_DOCUMENT,
                "document " + doc + " is whole"));

        try (KnowledgeBases bases = new KnowledgeBases(root, TestModel.embedder(), ImportChild.options())) {
            ImportJob rerun = await(bases, bases.submit(ImportChild.BASE, ImportChild::generate, Set.of()));
            assertEquals(rerun.state(), ImportJob.State.DONE, rerun.error());
            assertEquals(rerun.documentsUnchanged(), visible.size(), "what was committed is skipped");
            assertEquals(rerun.documentsAdded(), ImportChild.DOCUMENTS - visible.size(), "the rest is added");
            BaseInfo info = bases.info(ImportChild.BASE);
            assertEquals(info.documents(), ImportChild.DOCUMENTS, "all documents present");
            assertEquals(info.chunks(), ImportChild.DOCUMENTS * ImportChild.CHUNKS_PER_DOCUMENT, "no duplicates");
        }
    }

    private static int committedDocuments(Path index) throws IOException {
        return Files.isDirectory(index) ? chunksPerDocument(index).size() : 0;
    }

    /** Chunks per document id in the last commit, read without the writer (as after a crash). */
    private static Map<String, Integer> chunksPerDocument(Path index) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        try (FSDirectory dir = FSDirectory.open(index)) {
            if (!DirectoryReader.indexExists(dir)) {
                return out;
            }
            try (DirectoryReader reader = DirectoryReader.open(dir)) {
                StoredFields stored = reader.storedFields();
                Map<String, Integer> declared = new HashMap<>();
                for (int i = 0; i < reader.maxDoc(); i++) {
                    org.apache.lucene.document.Document d = stored.document(i);
                    String id = d.get(ChunkFields.DOC_ID);
                    if (d.getField(ChunkFields.CHUNK_COUNT) != null) {
                        declared.put(id, d.getField(ChunkFields.CHUNK_COUNT).numericValue().intValue());
                    } else {
                        out.merge(id, 1, Integer::sum);
                    }
                }
                assertEquals(out.keySet(), declared.keySet(), "every chunk's document has its record and back");
                declared.forEach((id, n) -> assertEquals(out.get(id), n, "declared chunk count of " + id));
            }
        }
        return out;
    }

    private static ImportJob await(KnowledgeBases bases, ImportJob started) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        ImportJob job = started;
        while (!job.finished()) {
            assertTrue(System.nanoTime() < deadline, "job " + job + " finishes in time");
            Thread.sleep(20);
            job = bases.job(started.id()).orElseThrow();
        }
        return job;
    }

    /** Stand-in for a different embedding model; see anIndexBuiltWithAnotherModelIsRefused. */
    private static final class OtherModel implements Embedder {
        @Override
        public String modelId() {
            return "other-model";
        }

        @Override
        public int dimension() {
            return 384;
        }

        @Override
        public float[][] embed(List<String> texts) {
            throw new UnsupportedOperationException("not needed: the base is refused on open");
        }

        @Override
        public float[] embedQuery(String query) {
            throw new UnsupportedOperationException("not needed: the base is refused on open");
        }

        @Override
        public void close() {
        }
    }
}
