package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.LoadedModel;
import dev.botgate.backend.engine.ModelNotFoundException;
import dev.botgate.backend.engine.RoutingEngine;
import dev.botgate.backend.engine.remote.RemoteModel;
import dev.botgate.backend.store.GgufInfo;
import dev.botgate.backend.store.ModelDetails;
import dev.botgate.backend.store.ModelEntry;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.PullException;
import dev.botgate.backend.store.PullProgress;
import dev.botgate.knowledge.index.Embedder;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Ollama-compatible model management and embeddings.
 *
 * <pre>
 * curl localhost:8080/api/tags
 * curl localhost:8080/api/ps
 * curl localhost:8080/api/show -d '{"model":"qwen2.5:0.5b"}'
 * curl localhost:8080/api/pull -d '{"model":"qwen2.5:0.5b"}'
 * curl -X DELETE localhost:8080/api/delete -d '{"model":"qwen2.5:0.5b"}'
 * curl localhost:8080/api/create -d '{"model":"support","modelfile":"FROM qwen2.5:0.5b\nSYSTEM You help."}'
 * curl localhost:8080/api/embed -d '{"model":"bge-small-zh-v1.5","input":["退货","发票"]}'
 * </pre>
 *
 * <p>Pull and create refuse (400, with the reason) a file the store's checks or its trial load in a child process
 * refuse, a URL outside {@code models.pull-hosts}, and a Modelfile with a relative {@code FROM} path (the server
 * cannot know the Modelfile's folder; {@code botgate create -f} resolves it first). Pulling a file on the server's
 * disk needs an admin caller ({@link ApiKeys#access}).
 */
public final class ModelRoutes implements HttpService {
    /** The embedding model's name in the model lists and the embedding APIs. */
    public static final String EMBEDDING_MODEL = "bge-small-zh-v1.5";
    private static final int MAX_EMBED_INPUTS = 256;
    private final ModelStore store;
    private final Engine engine;
    private final Embedder embedder;
    /** When remote models were first listed: they have no file time of their own. */
    private final Instant started = Instant.now();

    public ModelRoutes(ModelStore store, Engine engine, Embedder embedder) {
        this.store = store;
        this.engine = engine;
        this.embedder = embedder;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/tags", this::tags)
             .get("/ps", this::ps)
             .post("/show", this::show)
             .post("/pull", this::pull)
             .delete("/delete", this::delete)
             .post("/create", this::create)
             .post("/embed", this::embed)
             .post("/copy", this::copy)
             .post("/push", this::push)
             .post("/embeddings", this::embeddingsLegacy);
    }

    private void tags(ServerRequest req, ServerResponse res) {
        List<Object> models = new ArrayList<>();
        for (ModelEntry e : store.list()) {
            models.add(new OllamaWire.TagModel(e.name(), e.name(), e.modifiedAt().toString(), e.size(), digestHex(e.digest()),
                    details(e)));
        }
        models.add(new OllamaWire.TagModel(EMBEDDING_MODEL + ":latest", EMBEDDING_MODEL + ":latest",
                started.toString(), 0, EMBEDDING_DIGEST, EMBEDDING_DETAILS));
        RoutingEngine.of(engine).ifPresent(r -> r.remoteModels().forEach(m -> models.add(EngineWire.tag(m, started))));
        Json.send(res, 200, Map.of("models", models));
    }

    private void ps(ServerRequest req, ServerResponse res) {
        List<OllamaWire.PsModel> models = new ArrayList<>();
        for (LoadedModel m : engine.loaded()) {
            OllamaWire.Details d = store.find(m.name()).map(ModelRoutes::details)
                    .orElse(new OllamaWire.Details("", "gguf", "", List.of(), "", ""));
            models.add(new OllamaWire.PsModel(m.name(), m.name(), m.memoryBytes(), digestHex(m.digest()), d,
                    "9999-12-31T23:59:59Z", 0, m.contextLength(), m.slots(), m.busySlots(), m.queued()));
        }
        Json.send(res, 200, new OllamaWire.Ps(models));
    }

    private void show(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String name = JsonFields.requiredText(body, "model", "name");
        Optional<RemoteModel> remote = RoutingEngine.of(engine).flatMap(r -> r.remoteModel(name));
        if (remote.isPresent()) {
            Json.send(res, 200, EngineWire.show(remote.get(), started));
            return;
        }
        if (isEmbeddingModel(name)) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("general.architecture", "bert");
            info.put("bert.embedding_length", embedder.dimension());
            Json.send(res, 200, new OllamaWire.Show("", "", "", "", EMBEDDING_DETAILS, info, List.of("embedding"),
                    started.toString()));
            return;
        }
        ModelDetails d = store.show(name);
        GgufInfo g = d.gguf();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("general.architecture", g.architecture());
        info.put("general.name", g.name());
        info.put("general.parameter_count", g.parameterCount());
        info.put("general.file_type", g.fileType());
        info.put(g.architecture() + ".context_length", g.contextLength());
        info.put(g.architecture() + ".embedding_length", g.embeddingLength());
        info.put(g.architecture() + ".block_count", g.blockCount());
        info.put(g.architecture() + ".attention.head_count", g.headCount());
        info.put(g.architecture() + ".attention.head_count_kv", g.headCountKv());
        info.put(g.architecture() + ".pooling_type", g.pooling().name().toLowerCase(java.util.Locale.ROOT));
        info.put("tokenizer.ggml.vocab_size", g.vocabularySize());
        Json.send(res, 200, new OllamaWire.Show(store.modelfile(name), d.parameters(),
                d.template().or(g::chatTemplate).orElse(""), d.system(), details(d.entry()), info,
                List.of("completion"), d.entry().modifiedAt().toString()));
    }

    private void pull(ServerRequest req, ServerResponse res) throws IOException {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String name = JsonFields.requiredText(body, "model", "name");
        boolean stream = JsonFields.bool(body, "stream", true);
        if (store.isLocalSource(name) && !callerIsAdmin(req)) {
            throw new BadRequestException(403, "pulling a file from the server's disk needs an admin key; pull a "
                    + "catalogue name or a URL, or ask an administrator");
        }
        if (!stream) {
            try {
                store.pull(name, p -> { });
            } catch (PullException e) {
                throw pullError(e);
            }
            Json.send(res, 200, Map.of("status", "success"));
            return;
        }
        try (NdjsonResponse out = new NdjsonResponse(res, "application/x-ndjson")) {
            // Statuses before the transfer starts are held back, so a refusal (404, not GGUF…) that comes before any
            // byte is downloaded is still a real HTTP status rather than a 200 with an error line.
            List<Map<String, Object>> early = new ArrayList<>();
            try {
                store.pull(name, p -> {
                    try {
                        if (!out.started() && p.total() == 0 && !p.status().equals("success")) {
                            early.add(progress(p));
                            return;
                        }
                        for (Map<String, Object> e : early) {
                            out.line(e);
                        }
                        early.clear();
                        out.line(progress(p));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            } catch (PullException e) {
                if (!out.started()) {
                    throw pullError(e);
                }
                out.line(Map.of("error", e.getMessage()));
            }
        }
    }

    private void delete(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String name = JsonFields.requiredText(body, "model", "name");
        if (store.find(name).isEmpty()) {
            throw new ModelNotFoundException(name);
        }
        if (engine.loaded().stream().anyMatch(m -> m.name().equals(store.find(name).get().name()))) {
            throw new BadRequestException(409, "model '" + name + "' is loaded; restart Botgate to unload it before "
                    + "removing it (loaded models stay in memory, see engine.max-loaded-models)");
        }
        store.delete(name);
        res.status(200).send();
    }

    private void create(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String name = JsonFields.requiredText(body, "model", "name");
        String modelfile = JsonFields.text(body, "modelfile", "");
        JsonNode quantize = body.get("quantize");
        if (quantize != null && !quantize.isNull() && !quantize.asText().isEmpty()) {
            throw new BadRequestException("quantize is not supported: Botgate cannot requantize a model; quantize the "
                    + "GGUF beforehand (llama.cpp's llama-quantize) and create from that file");
        }
        JsonNode adapters = body.get("adapters");
        if (adapters != null && !adapters.isNull() && !adapters.isEmpty()) {
            throw new BadRequestException("adapters (LoRA) are not supported");
        }
        if (modelfile.isEmpty()) {
            // Ollama's newer form: from (or files, uploaded to /api/blobs first), system, template, parameters.
            String from = body.has("files") && !body.has("from") ? BlobService.fromFiles(store, body.get("files"))
                    : JsonFields.requiredText(body, "from");
            StringBuilder mf = new StringBuilder("FROM ").append(from).append('\n');
            String system = JsonFields.text(body, "system", "");
            if (!system.isEmpty()) {
                mf.append("SYSTEM \"\"\"").append(system).append("\"\"\"\n");
            }
            String template = JsonFields.text(body, "template", "");
            if (!template.isEmpty()) {
                mf.append("TEMPLATE \"\"\"").append(template).append("\"\"\"\n");
            }
            body.path("parameters").fields().forEachRemaining(e -> {
                if (e.getValue().isArray()) {
                    e.getValue().forEach(v -> mf.append("PARAMETER ").append(e.getKey()).append(' ')
                            .append(v.asText()).append('\n'));
                } else {
                    mf.append("PARAMETER ").append(e.getKey()).append(' ').append(e.getValue().asText()).append('\n');
                }
            });
            modelfile = mf.toString();
        }
        // No folder: a relative FROM path is refused rather than resolved against this server's working directory.
        store.create(name, modelfile);
        Json.send(res, 200, Map.of("status", "success"));
    }

    private void embed(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String model = JsonFields.requiredText(body, "model");
        checkEmbeddingModel(model);
        List<String> input = embeddingInputs(body);
        long t0 = System.nanoTime();
        float[][] vectors = embedder.embed(input);
        int tokens = 0;
        for (String s : input) {
            tokens += dev.botgate.gateway.pipeline.ConversationContext.estimateTokens(s);
        }
        // The embedding model is loaded at start, so loading took no time in this request.
        Json.send(res, 200, new OllamaWire.Embed(model, List.of(vectors), System.nanoTime() - t0, 0L, tokens));
    }

    private void embeddingsLegacy(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        checkEmbeddingModel(JsonFields.requiredText(body, "model"));
        String prompt = JsonFields.requiredText(body, "prompt");
        Json.send(res, 200, Map.of("embedding", embedder.embed(List.of(prompt))[0]));
    }

    private void copy(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        store.copy(JsonFields.requiredText(body, "source"), JsonFields.requiredText(body, "destination"));
        res.status(200).send();
    }

    private void push(ServerRequest req, ServerResponse res) {
        throw new BadRequestException(501, "push is not supported: Botgate has no registry to push to; copy the GGUF "
                + "file (botgate show --modelfile names it) or pull it on the other server");
    }

    /** A stable id for the built-in embedding model (clients show a digest prefix): the SHA-256 of its name. */
    private static final String EMBEDDING_DIGEST = sha256(EMBEDDING_MODEL);

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final OllamaWire.Details EMBEDDING_DETAILS = new OllamaWire.Details("", "onnx", "bert",
            List.of("bert"), "24M", "Q8_0");

    static boolean isEmbeddingModel(String model) {
        return model.equals(EMBEDDING_MODEL) || model.equals(EMBEDDING_MODEL + ":latest");
    }

    static void checkEmbeddingModel(String model) {
        if (!isEmbeddingModel(model)) {
            throw new BadRequestException(404, "model '" + model + "' cannot embed; the embedding model is '"
                    + EMBEDDING_MODEL + "' (chat models in this llama.cpp build cannot embed reliably)");
        }
    }

    static Map<String, Object> progress(PullProgress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", p.status());
        if (!p.digest().isEmpty()) {
            m.put("digest", p.digest());
        }
        if (p.total() > 0) {
            m.put("total", p.total());
            m.put("completed", p.completed());
        }
        return m;
    }

    private static BadRequestException pullError(PullException e) {
        int status = switch (e.kind()) {
            case NOT_FOUND -> 404;
            case NOT_ALLOWED, REFUSED -> 400;
            case ACCESS_DENIED -> 403;
            case NETWORK -> 502;
            case DISK_FULL -> 507;
            case IN_PROGRESS -> 409;
            case CHECKSUM_MISMATCH, NOT_GGUF -> 422;
        };
        return new BadRequestException(status, e.getMessage());
    }

    /** Whether the caller may administer the server, as the key filter decided. */
    static boolean callerIsAdmin(ServerRequest req) {
        return ApiKeys.access(req).admin();
    }

    /** The texts to embed ({@code input}: a string or an array), refused when empty or too many. */
    static List<String> embeddingInputs(JsonNode body) {
        List<String> input = JsonFields.stringOrList(body, "input");
        if (input == null || input.isEmpty()) {
            throw new BadRequestException("field 'input' must be a string or a non-empty array of strings");
        }
        if (input.size() > MAX_EMBED_INPUTS) {
            throw new BadRequestException("at most " + MAX_EMBED_INPUTS + " inputs per request, got " + input.size());
        }
        return input;
    }

    static OllamaWire.Details details(ModelEntry e) {
        return new OllamaWire.Details("", "gguf", e.family(), List.of(e.family()), e.parameterSize(), e.quantization());
    }

    private static String digestHex(String digest) {
        return digest.startsWith("sha256:") ? digest.substring(7) : digest;
    }
}
