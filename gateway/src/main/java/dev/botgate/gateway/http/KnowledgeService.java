package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.knowledge.index.Fusion;
import dev.botgate.knowledge.index.KnowledgeBases;
import dev.botgate.knowledge.index.SearchRequest;
import dev.botgate.knowledge.index.Upload;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Knowledge bases under {@code /admin/kb}.
 *
 * <pre>
 * curl localhost:8080/admin/kb                                         # list
 * curl -X POST localhost:8080/admin/kb -d '{"name":"faq"}'             # create
 * curl -X POST localhost:8080/admin/kb -d '{"name":"faq","embedding_model":"bge-m3"}'  # embedded by an engine
 * curl -F file=@faq.csv -F file=@manual.pdf localhost:8080/admin/kb/faq/upload   # upload and import (a job)
 * curl -X PUT localhost:8080/admin/kb/faq/documents/DOC/qa/0 -d '{"question":"…","similar":["…"],"answer":"…"}'
 * curl -X DELETE localhost:8080/admin/kb/faq/documents/DOC/qa/0                  # delete one Q&amp;A entry
 * curl -X POST localhost:8080/admin/kb/faq/import -d '{"paths":["/srv/docs"]}'  # import files on the server
 * curl localhost:8080/admin/kb/jobs/JOB-ID                             # progress
 * curl localhost:8080/admin/kb/faq/documents                           # documents
 * curl localhost:8080/admin/kb/faq/documents/DOC-ID/chunks             # a document's chunks
 * curl -X DELETE localhost:8080/admin/kb/faq/documents/DOC-ID
 * curl -X POST localhost:8080/admin/kb/faq/search -d '{"query":"怎么退货","top":5}'   # search test
 * curl -X PUT localhost:8080/admin/kb/faq/synonyms -d '{"rules":["退款,退钱"]}'
 * curl -X DELETE localhost:8080/admin/kb/faq
 * </pre>
 *
 * <p><b>Server-path import</b> reads the server's own files, so it is fenced: each path is resolved to its real
 * path; Botgate's data directory (keys, message record, indexes) and model store are never read; links inside a
 * folder that lead out of it are skipped, not followed; and when the API is not just the local keyless default
 * (API keys on, or {@code server.allow-unauthenticated}), only folders under {@code knowledge.import-roots} may be
 * imported (none when it is empty). Uploads always work.
 */
public final class KnowledgeService implements HttpService {
    private final KnowledgeBases bases;
    private final long maxUploadBytes;
    private final List<Path> neverImported;
    private final List<Path> importRoots;

    /**
     * @param neverImported folders whose files are never imported (the data directory, the model store)
     * @param importRoots   folders a server-path import may read when the caller is not the local keyless user
     */
    public KnowledgeService(KnowledgeBases bases, long maxUploadBytes, List<Path> neverImported,
                            List<Path> importRoots) {
        this.bases = bases;
        this.maxUploadBytes = maxUploadBytes;
        this.neverImported = neverImported.stream().map(KnowledgeService::real).toList();
        this.importRoots = List.copyOf(importRoots);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> Json.send(res, 200, Map.of("bases", bases.list())))
             .post("/", this::create)
             .get("/jobs", (req, res) -> Json.send(res, 200, Map.of("jobs", bases.jobs().stream().map(KnowledgeJobs::json)
                     .toList())))
             .get("/jobs/{id}", (req, res) -> {
                 String id = req.path().pathParameters().get("id");
                 Json.send(res, 200, KnowledgeJobs.json(bases.job(id).orElseThrow(() -> new BadRequestException(404, "no import job '" + id
                         + "'"))));
             })
             .get("/{name}", (req, res) -> Json.send(res, 200, bases.info(existing(req))))
             .delete("/{name}", (req, res) -> {
                 bases.delete(existing(req));
                 res.status(204).send();
             })
             .get("/{name}/documents", (req, res) -> Json.send(res, 200,
                     Map.of("documents", bases.documents(existing(req)))))
             .get("/{name}/documents/{doc}/chunks", (req, res) -> {
                 String base = existing(req);
                 String doc = req.path().pathParameters().get("doc");
                 bases.document(base, doc).orElseThrow(() -> new BadRequestException(404, "no document '" + doc
                         + "' in knowledge base '" + base + "'"));
                 Json.send(res, 200, Map.of("chunks", bases.chunks(base, doc)));
             })
             .delete("/{name}/documents/{doc}", (req, res) -> {
                 String base = existing(req);
                 String doc = req.path().pathParameters().get("doc");
                 if (!bases.deleteDocument(base, doc)) {
                     throw new BadRequestException(404, "no document '" + doc + "' in knowledge base '" + base + "'");
                 }
                 res.status(204).send();
             })
             .put("/{name}/documents/{doc}/qa/{ordinal}", (req, res) -> {
                 String base = existing(req);
                 var p = req.path().pathParameters();
                 new QaEdits(bases).apply(base, p.get("doc"), p.get("ordinal"),
                         java.util.Optional.of(Json.parseObject(req.content().as(byte[].class))));
                 res.status(204).send();
             })
             .delete("/{name}/documents/{doc}/qa/{ordinal}", (req, res) -> {
                 String base = existing(req);
                 var p = req.path().pathParameters();
                 new QaEdits(bases).apply(base, p.get("doc"), p.get("ordinal"), java.util.Optional.empty());
                 res.status(204).send();
             })
             .post("/{name}/import", this::importPaths)
             .post("/{name}/upload", this::upload)
             .post("/{name}/search", this::search)
             .get("/{name}/synonyms", (req, res) -> Json.send(res, 200, Map.of("rules", bases.synonyms(existing(req)))))
             .put("/{name}/synonyms", (req, res) -> {
                 String base = existing(req);
                 bases.synonyms(base, strings(Json.parseObject(req.content().as(byte[].class)), "rules"));
                 Json.send(res, 200, Map.of("rules", bases.synonyms(base)));
             })
             .get("/{name}/dictionary", (req, res) -> Json.send(res, 200,
                     Map.of("words", bases.userDictionary(existing(req)))))
             .put("/{name}/dictionary", (req, res) -> {
                 String base = existing(req);
                 bases.userDictionary(base, strings(Json.parseObject(req.content().as(byte[].class)), "words"));
                 Json.send(res, 200, Map.of("words", bases.userDictionary(base)));
             });
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String name = JsonFields.requiredText(body, "name");
        if (names().contains(name)) {
            throw new BadRequestException(409, "knowledge base '" + name + "' already exists");
        }
        // embedding_model: the built-in model when absent, else one a remote engine serves.
        Json.send(res, 201, bases.create(name, JsonFields.text(body, "embedding_model", "")));
    }

    private void importPaths(ServerRequest req, ServerResponse res) {
        String base = existing(req);
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        ApiKeys.Access access = ApiKeys.access(req);
        List<Path> roots = access.local() ? List.of() : importRoots.stream().map(KnowledgeService::real).toList();
        if (!access.local() && roots.isEmpty()) {
            throw new BadRequestException(403, "importing files from the server's disk is off while API keys are on: "
                    + "list the folders it may read in knowledge.import-roots, or upload the files with POST /admin/kb/"
                    + base + "/upload");
        }
        List<Path> paths = new ArrayList<>();
        for (String p : strings(body, "paths")) {
            Path given = Path.of(p);
            if (!given.isAbsolute()) {
                throw new BadRequestException("path " + p + " is relative; give the absolute path of a file or folder "
                        + "on the server");
            }
            Path path;
            try {
                path = given.toRealPath();
            } catch (IOException e) {
                throw new BadRequestException("path " + p + " does not exist on the server; upload the files with "
                        + "POST /admin/kb/" + base + "/upload instead");
            }
            for (Path fenced : neverImported) {
                if (path.startsWith(fenced)) {
                    throw new BadRequestException(403, "path " + p + " is inside Botgate's data directory or model "
                            + "store (keys, message record, indexes, models), which is never imported");
                }
            }
            if (!access.local() && roots.stream().noneMatch(path::startsWith)) {
                throw new BadRequestException(403, "path " + p + " is outside knowledge.import-roots " + importRoots
                        + "; with API keys on, only files under those folders may be imported (or upload them)");
            }
            paths.add(path);
        }
        if (paths.isEmpty()) {
            throw new BadRequestException("field 'paths' must list at least one file or folder");
        }
        Json.send(res, 202, KnowledgeJobs.json(bases.startImport(base, paths, tags(body),
                java.util.Set.copyOf(neverImported))));
    }

    /** The real path of a configured folder; as written when it does not exist (then nothing is under it). */
    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private void upload(ServerRequest req, ServerResponse res) {
        String base = existing(req);
        long length = req.headers().contentLength().orElse(-1L);
        if (length > maxUploadBytes) {
            throw new BadRequestException(413, "upload is " + length + " bytes; the limit is " + maxUploadBytes
                    + " (knowledge.max-upload-bytes)");
        }
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        byte[] body = req.content().as(byte[].class);
        List<Upload> files = new ArrayList<>();
        Set<String> tags = new HashSet<>();
        for (Multipart.Part part : Multipart.parse(contentType, body)) {
            if (part.isFile()) {
                files.add(new Upload(part.fileName(), part.content()));
            } else if (part.name().equals("tags")) {
                for (String t : part.text().split(",")) {
                    if (!t.isBlank()) {
                        tags.add(t.strip());
                    }
                }
            }
        }
        if (files.isEmpty()) {
            throw new BadRequestException("no file in the upload; send each as a form field with a file name, e.g. "
                    + "curl -F file=@faq.csv …");
        }
        Json.send(res, 202, KnowledgeJobs.json(bases.startUpload(base, files, tags)));
    }

    private void search(ServerRequest req, ServerResponse res) {
        String base = existing(req);
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        SearchRequest.Builder b = SearchRequest.builder(JsonFields.requiredText(body, "query")).bases(List.of(base));
        Integer top = JsonFields.integer(body, "top", 1, 100);
        if (top != null) {
            b.top(top);
        }
        Double min = JsonFields.number(body, "min_score", -1, 100);
        if (min != null) {
            b.minScore(min);
        }
        String fusion = JsonFields.text(body, "fusion", "");
        if (!fusion.isEmpty()) {
            try {
                b.fusion(Fusion.valueOf(fusion.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new BadRequestException("fusion must be adaptive, weighted or rrf, got '" + fusion + "'");
            }
        }
        if (body.has("documents")) {
            b.documentIds(new HashSet<>(strings(body, "documents")));
        }
        if (body.has("tags")) {
            b.tags(tags(body));
        }
        long t0 = System.nanoTime();
        var hits = bases.search(b.build());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("query", body.get("query").asText());
        out.put("took_ms", (System.nanoTime() - t0) / 1e6);
        out.put("hits", hits);
        Json.send(res, 200, out);
    }

    private String existing(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        if (!names().contains(name)) {
            throw new BadRequestException(404, "no knowledge base '" + name + "'; create it with POST /admin/kb "
                    + "{\"name\":\"" + name + "\"} or: botgate kb create " + name);
        }
        return name;
    }

    private Set<String> names() {
        Set<String> names = new HashSet<>();
        bases.list().forEach(b -> names.add(b.name()));
        return names;
    }

    private static Set<String> tags(JsonNode body) {
        return new HashSet<>(body.has("tags") ? strings(body, "tags") : List.of());
    }

    private static List<String> strings(JsonNode body, String field) {
        List<String> out = JsonFields.stringOrList(body, field);
        if (out == null) {
            throw new BadRequestException("field '" + field + "' is required (an array of strings)");
        }
        return out;
    }
}
