package dev.botgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.http.Json;
import dev.botgate.knowledge.index.DocumentInfo;
import dev.botgate.knowledge.index.ImportJob;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.index.SearchHit;
import dev.botgate.knowledge.index.SearchRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code botgate kb …}: knowledge bases. Through the server when one runs, else on the data directory. */
@Command(name = "kb", mixinStandardHelpOptions = true, description = "Manage knowledge bases.",
        subcommands = {KbCommand.Create.class, KbCommand.ListBases.class, KbCommand.Import.class, KbCommand.Docs.class,
                KbCommand.Remove.class, KbCommand.Search.class})
final class KbCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** The knowledge bases opened in this process (no server running). */
    static KnowledgeBases local(CommandBase c) {
        Settings s = c.settings();
        Path home = s.paths().home();
        dev.botgate.gateway.Native.configure(home);
        // The server's own factory: the same chunking, read limits and embedder settings as `botgate serve`.
        return dev.botgate.gateway.Wiring.knowledgeBases(s, dev.botgate.gateway.Wiring.embedder(s));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a knowledge base.")
    static final class Create extends CommandBase implements Runnable {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            ApiClient api = client();
            if (api.serverRunning()) {
                api.post("/admin/kb", Map.of("name", name));
            } else {
                try (KnowledgeBases kb = local(this)) {
                    kb.create(name);
                }
            }
            out.println("created knowledge base '" + name + "'");
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List knowledge bases.")
    static final class ListBases extends CommandBase implements Runnable {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            List<String[]> rows = new ArrayList<>();
            JsonNode bases;
            ApiClient api = client();
            if (api.serverRunning()) {
                bases = api.get("/admin/kb").path("bases");
            } else {
                try (KnowledgeBases kb = local(this)) {
                    bases = Json.MAPPER.valueToTree(kb.list());
                }
            }
            if (json) {
                out.println(bases.toString());
                return;
            }
            for (JsonNode b : bases) {
                rows.add(new String[]{b.path("name").asText(), b.path("documents").asText(), b.path("chunks").asText(),
                        ProgressBar.bytes(b.path("size_bytes").asLong())});
            }
            Table.print(out, new String[]{"NAME", "DOCUMENTS", "CHUNKS", "SIZE"}, rows);
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, description = {
            "Import files, folders or .zip files into a knowledge base (PDF, .docx, Markdown, HTML, text, Q&A .csv/"
                    + ".xlsx). Unchanged files are skipped, changed ones replaced; a file that cannot be read is "
                    + "reported and the rest goes on."})
    static final class Import extends CommandBase implements Runnable {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1..*", paramLabel = "PATH", arity = "1..*")
        List<Path> paths;

        @Option(names = "--tag", description = "tag the imported documents (repeatable)")
        List<String> tags = List.of();

        @Override
        public void run() {
            for (Path p : paths) {
                if (!Files.exists(p)) {
                    throw new CliException(p + " does not exist");
                }
            }
            List<String> abs = paths.stream().map(p -> p.toAbsolutePath().toString()).toList();
            ProgressBar bar = new ProgressBar(err);
            ApiClient api = client();
            JsonNode last;
            if (api.serverRunning()) {
                JsonNode job = api.post("/admin/kb/" + name + "/import", Map.of("paths", abs, "tags", tags));
                String id = job.path("id").asText();
                do {
                    sleep();
                    last = api.get("/admin/kb/jobs/" + id);
                    draw(bar, last);
                } while (!last.path("state").asText().equals("done") && !last.path("state").asText().equals("failed"));
            } else {
                try (KnowledgeBases kb = local(this)) {
                    if (kb.list().stream().noneMatch(b -> b.name().equals(name))) {
                        throw new CliException("no knowledge base '" + name + "'; create it with: botgate kb create "
                                + name);
                    }
                    ImportJob job = kb.startImport(name, paths.stream().map(Path::toAbsolutePath).toList(),
                            Set.copyOf(tags));
                    do {
                        sleep();
                        job = kb.job(job.id()).orElseThrow();
                        last = Json.MAPPER.valueToTree(dev.botgate.gateway.http.KnowledgeJobs.json(job));
                        draw(bar, last);
                    } while (!job.finished());
                }
            }
            bar.finish(String.format(Locale.ROOT, "%s: %d files, %d added, %d replaced, %d unchanged, %d chunks",
                    last.path("state").asText(), last.path("files_total").asInt(), last.path("documents_added").asInt(),
                    last.path("documents_replaced").asInt(), last.path("documents_unchanged").asInt(),
                    last.path("chunks").asLong()));
            for (JsonNode s : last.path("skipped")) {
                out.println("  skipped " + s.path("source").asText() + ": " + s.path("reason").asText());
            }
            if (last.has("error")) {
                throw new CliException(last.path("error").asText());
            }
        }

        private static void draw(ProgressBar bar, JsonNode j) {
            String state = j.path("state").asText();
            bar.updateCount("importing", j.path("files_done").asLong(), j.path("files_total").asLong(), "files",
                    detail(j), state.equals("done") || state.equals("failed"));
        }

        /** Chunks embedded so far, their rate and the job's estimate of the time left: what an import spends on. */
        static String detail(JsonNode j) {
            StringBuilder d = new StringBuilder();
            if (j.path("state").asText().equals("queued")) {
                return "queued behind another import";
            }
            d.append(j.path("chunks").asLong()).append(" chunks");
            double rate = j.path("chunks_per_second").asDouble();
            if (rate > 0) {
                d.append(String.format(Locale.ROOT, ", %.0f chunks/s", rate));
            }
            long eta = j.path("eta_seconds").asLong();
            if (eta > 0) {
                d.append(String.format(Locale.ROOT, ", about %dm%02ds left", eta / 60, eta % 60));
            }
            return d.toString();
        }

        private static void sleep() {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Command(name = "docs", mixinStandardHelpOptions = true, description = "List a knowledge base's documents.")
    static final class Docs extends CommandBase implements Runnable {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            JsonNode docs;
            ApiClient api = client();
            if (api.serverRunning()) {
                docs = api.get("/admin/kb/" + name + "/documents").path("documents");
            } else {
                try (KnowledgeBases kb = local(this)) {
                    List<DocumentInfo> d = kb.documents(name);
                    docs = Json.MAPPER.valueToTree(d);
                }
            }
            if (json) {
                out.println(docs.toString());
                return;
            }
            List<String[]> rows = new ArrayList<>();
            for (JsonNode d : docs) {
                rows.add(new String[]{d.path("id").asText(), d.path("title").asText(), d.path("chunks").asText(),
                        d.path("imported_at").asText()});
            }
            Table.print(out, new String[]{"ID", "TITLE", "CHUNKS", "IMPORTED"}, rows);
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true,
            description = "Delete a knowledge base, or with --doc one of its documents.")
    static final class Remove extends CommandBase implements Runnable {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--doc", paramLabel = "ID", description = "delete only this document")
        String doc;

        @Override
        public void run() {
            ApiClient api = client();
            if (api.serverRunning()) {
                api.delete("/admin/kb/" + name + (doc == null ? "" : "/documents/" + doc), Map.of());
            } else {
                try (KnowledgeBases kb = local(this)) {
                    if (doc == null) {
                        kb.delete(name);
                    } else if (!kb.deleteDocument(name, doc)) {
                        throw new CliException("no document '" + doc + "' in knowledge base '" + name + "'");
                    }
                }
            }
            out.println(doc == null ? "deleted knowledge base '" + name + "'" : "deleted document '" + doc + "'");
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Search test: the same search the bots run, with each hit's scores explained.")
    static final class Search extends CommandBase implements Runnable {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "QUERY")
        String query;

        @Option(names = "--top", description = "number of hits (default 5)")
        int top = 5;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            JsonNode hits;
            ApiClient api = client();
            if (api.serverRunning()) {
                hits = api.post("/admin/kb/" + name + "/search", Map.of("query", query, "top", top)).path("hits");
            } else {
                try (KnowledgeBases kb = local(this)) {
                    List<SearchHit> h = kb.search(SearchRequest.builder(query).bases(List.of(name)).top(top).build());
                    hits = Json.MAPPER.valueToTree(h);
                }
            }
            if (json) {
                out.println(new String(Json.bytes(hits), StandardCharsets.UTF_8));
                return;
            }
            if (hits.isEmpty()) {
                out.println("no hit above the threshold");
            }
            int i = 1;
            for (JsonNode h : hits) {
                String where = String.join(" > ", Json.MAPPER.convertValue(h.path("heading_path"), List.class));
                out.printf(Locale.ROOT, "%d. %s%s%s   score %.3f (keyword %.3f #%s, vector %.3f #%s)%s%n", i++,
                        h.path("title").asText(), where.isEmpty() ? "" : " › " + where,
                        h.path("page").asInt() > 0 ? " p." + h.path("page").asInt() : "", h.path("score").asDouble(),
                        h.path("keyword_score").asDouble(), rank(h.path("keyword_rank").asInt()),
                        h.path("vector_similarity").asDouble(), rank(h.path("vector_rank").asInt()),
                        h.path("direct_answer").asBoolean() ? "  DIRECT ANSWER" : "");
                String text = h.path("highlighted").asText().replace("<em>", "\033[1m").replace("</em>", "\033[0m");
                out.println("   " + (text.length() > 300 ? text.substring(0, 300) + "…" : text).replace("\n", " "));
            }
        }

        private static String rank(int r) {
            return r < 0 ? "-" : Integer.toString(r);
        }
    }

}
