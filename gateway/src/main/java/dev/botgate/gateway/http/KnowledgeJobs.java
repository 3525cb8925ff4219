package dev.botgate.gateway.http;

import dev.botgate.knowledge.index.ImportJob;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The wire shape of an import job, shared by the API and the CLI's local mode. */
public final class KnowledgeJobs {
    private KnowledgeJobs() {
    }

    public static Map<String, Object> json(ImportJob j) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("base", j.base());
        m.put("state", j.state().name().toLowerCase(Locale.ROOT));
        m.put("files_total", j.filesTotal());
        m.put("files_done", j.filesDone());
        m.put("documents_added", j.documentsAdded());
        m.put("documents_replaced", j.documentsReplaced());
        m.put("documents_unchanged", j.documentsUnchanged());
        m.put("chunks", j.chunks());
        m.put("chunks_per_second", j.chunksPerSecond());
        m.put("eta_seconds", j.eta().toSeconds());
        m.put("elapsed_seconds", j.elapsed().toMillis() / 1000.0);
        m.put("skipped", j.skipped());
        if (!j.error().isEmpty()) {
            m.put("error", j.error());
        }
        return m;
    }
}
