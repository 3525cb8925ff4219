package dev.botgate.knowledge.index;

import dev.botgate.knowledge.ingest.Document;
import dev.botgate.knowledge.ingest.ReadListener;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Runs in a child JVM for {@link ImportJobsTest}: imports {@link #DOCUMENTS} generated documents into base
 * {@code crash} under the given root, committing every few chunks, so the parent can kill it mid-import.
 */
final class ImportChild {
    static final String BASE = "crash";
    static final int DOCUMENTS = 150;
    static final int CHUNKS_PER_DOCUMENT = 3;

    private ImportChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        try (KnowledgeBases bases = new KnowledgeBases(root, TestModel.embedder(), options())) {
            if (bases.list().isEmpty()) {
                bases.create(BASE);
            }
            ImportJob job = bases.submit(BASE, ImportChild::generate, Set.of());
            while (!bases.job(job.id()).orElseThrow().finished()) {
                Thread.sleep(50);
            }
        }
    }

    static KnowledgeOptions options() {
        return KnowledgeOptions.builder().commitChunks(4).build();
    }

    /** The same documents every time, so a re-run is "the same import". */
    static void generate(ReadListener listener) {
        listener.total(DOCUMENTS);
        for (int d = 0; d < DOCUMENTS; d++) {
            String[] texts = new String[CHUNKS_PER_DOCUMENT];
            for (int c = 0; c < CHUNKS_PER_DOCUMENT; c++) {
                texts[c] = "第" + d + "号文档的第" + c + "段：型号 X" + (1000 + d) + " 的使用说明，包括安装、保养和常见故障的处理办法。";
            }
            Document doc = TestDocs.passages("doc-" + d + ".txt", List.of("说明书 " + d), texts);
            listener.document(doc);
        }
    }
}
