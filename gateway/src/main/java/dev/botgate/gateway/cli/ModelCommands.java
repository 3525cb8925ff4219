package dev.botgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.store.ModelDetails;
import dev.botgate.backend.store.ModelEntry;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.backend.store.Modelfile;
import dev.botgate.gateway.Version;
import dev.botgate.gateway.Wiring;
import dev.botgate.gateway.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Model commands, like Ollama's: pull, create, list, show, rm, ps, version. */
final class ModelCommands {
    private ModelCommands() {
    }

    static ModelStore store(CommandBase c) {
        return Wiring.modelStore(c.settings());
    }

    /** Pulls with a progress bar, through the server when one runs, else into the store directly. */
    static void pull(CommandBase c, String model) {
        ProgressBar bar = new ProgressBar(c.err);
        String[] last = {""};
        ApiClient api = c.client();
        if (api.serverRunning()) {
            api.stream("/api/pull", Map.of("model", model), line -> {
                String status = line.path("status").asText();
                if (line.has("total")) {
                    bar.update(status, line.path("completed").asLong(), line.path("total").asLong());
                } else if (!status.equals(last[0])) {
                    bar.finish(status);
                }
                last[0] = status;
            });
        } else {
            store(c).pull(model, p -> {
                if (p.total() > 0 && p.status().startsWith("downloading")) {
                    bar.update(p.status(), p.completed(), p.total());
                } else if (!p.status().equals(last[0])) {
                    bar.finish(p.status());
                }
                last[0] = p.status();
            });
        }
        if (!last[0].equals("success")) {
            bar.finish("success");
        }
    }

    @Command(name = "pull", mixinStandardHelpOptions = true, description = {
            "Download a model into the store: a catalogue name (qwen2.5:0.5b), an https://…/*.gguf URL, "
                    + "hf://owner/repo/file.gguf, or a local .gguf file (imported as NAME:latest).",
            "An interrupted download resumes where it stopped."})
    static final class Pull extends CommandBase implements Runnable {
        @Parameters(paramLabel = "MODEL")
        String model;

        @Override
        public void run() {
            String m = model;
            if (Files.isRegularFile(Path.of(model))) {
                m = Path.of(model).toAbsolutePath().toString();
            }
            pull(this, m);
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a model variant from a Modelfile (FROM, SYSTEM, PARAMETER, TEMPLATE, LICENSE).")
    static final class Create extends CommandBase implements Runnable {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = {"-f", "--file"}, paramLabel = "Modelfile", required = true, description = "the Modelfile")
        Path file;

        @Override
        public void run() {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliException("cannot read " + file + ": " + e.getMessage());
            }
            Path base = file.toAbsolutePath().getParent();
            ApiClient api = client();
            if (api.serverRunning()) {
                // The server cannot know the Modelfile's folder (and refuses a relative FROM path): resolve it here.
                api.post("/api/create", Map.of("model", name, "modelfile",
                        Modelfile.parse(text).resolvedAgainst(base).render()));
            } else {
                store(this).create(name, text, base);
            }
            out.println("created " + name);
        }
    }

    @Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true, description = "List the models: those in the store and, with a server running, those on its remote engines.")
    static final class ListModels extends CommandBase implements Runnable {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            List<String[]> rows = new ArrayList<>();
            List<Map<String, Object>> items = new ArrayList<>();
            ApiClient api = client();
            if (api.serverRunning()) {
                for (JsonNode m : api.get("/api/tags").path("models")) {
                    // A model on a remote engine has no file here: no digest or size, its engine instead.
                    String digest = m.path("digest").asText();
                    boolean remote = m.has("engine");
                    rows.add(new String[]{m.path("name").asText(), digest.substring(0, Math.min(12, digest.length())),
                            remote ? "-" : ProgressBar.bytes(m.path("size").asLong()),
                            ago(Instant.parse(m.path("modified_at").asText())),
                            remote ? m.path("engine").asText() + " (" + m.path("remote_host").asText() + ")" : "local"});
                    items.add(Json.MAPPER.convertValue(m, Map.class));
                }
            } else {
                for (ModelEntry e : store(this).list()) {
                    String digest = e.digest().replace("sha256:", "");
                    rows.add(new String[]{e.name(), digest.substring(0, Math.min(12, digest.length())),
                            ProgressBar.bytes(e.size()), ago(e.modifiedAt()), "local"});
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", e.name());
                    m.put("digest", e.digest());
                    m.put("size", e.size());
                    m.put("modified_at", e.modifiedAt().toString());
                    items.add(m);
                }
            }
            if (json) {
                out.println(new String(Json.bytes(Map.of("models", items)), StandardCharsets.UTF_8));
                return;
            }
            Table.print(out, new String[]{"NAME", "ID", "SIZE", "MODIFIED", "ENGINE"}, rows);
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show a model's details or Modelfile.")
    static final class Show extends CommandBase implements Runnable {
        @Parameters(paramLabel = "MODEL")
        String model;

        @Option(names = "--modelfile", description = "print the Modelfile")
        boolean modelfile;

        @Option(names = "--parameters", description = "print the parameters")
        boolean parameters;

        @Option(names = "--template", description = "print the chat template")
        boolean template;

        @Option(names = "--system", description = "print the system prompt")
        boolean system;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            ApiClient api = client();
            if (api.serverRunning()) {
                JsonNode r = api.post("/api/show", Map.of("model", model));
                if (r.has("engine")) {
                    showRemote(r);
                } else {
                    showFromServer(r);
                }
                return;
            }
            ModelStore store = store(this);
            ModelDetails d = store.show(model);
            if (modelfile) {
                out.print(store.modelfile(model));
                return;
            }
            if (parameters) {
                out.println(d.parameters());
                return;
            }
            if (template) {
                out.println(d.template().or(() -> d.gguf().chatTemplate()).orElse(""));
                return;
            }
            if (system) {
                out.println(d.system());
                return;
            }
            var g = d.gguf();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("architecture", g.architecture());
            info.put("parameters", humanCount(g.parameterCount()));
            info.put("quantization", g.quantization());
            info.put("context length", g.contextLength());
            info.put("embedding length", g.embeddingLength());
            info.put("layers", g.blockCount());
            info.put("vocabulary", g.vocabularySize());
            info.put("pooling", g.pooling().name().toLowerCase(Locale.ROOT));
            info.put("chat template", g.chatTemplate().isPresent() ? "from GGUF" : "none (chatml fallback)");
            info.put("size", ProgressBar.bytes(d.entry().size()));
            info.put("file", d.file().toString());
            if (json) {
                out.println(new String(Json.bytes(info), StandardCharsets.UTF_8));
                return;
            }
            out.println("  Model");
            info.forEach((k, v) -> out.printf("    %-18s %s%n", k, v));
            if (!d.parameters().isBlank()) {
                out.println();
                out.println("  Parameters");
                d.parameters().lines().forEach(l -> out.println("    " + l));
            }
            if (!d.system().isBlank()) {
                out.println();
                out.println("  System");
                d.system().lines().forEach(l -> out.println("    " + l));
            }
            d.license().ifPresent(l -> {
                out.println();
                out.println("  License");
                out.println("    " + l.lines().findFirst().orElse(""));
            });
        }

        /** The server's {@code /api/show} answer (the server owns the store), printed as the store's is above. */
        private void showFromServer(JsonNode r) {
            if (modelfile) {
                out.print(r.path("modelfile").asText());
                return;
            }
            if (parameters || template || system) {
                out.println(r.path(parameters ? "parameters" : template ? "template" : "system").asText());
                return;
            }
            JsonNode mi = r.path("model_info");
            String arch = mi.path("general.architecture").asText();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("architecture", arch);
            info.put("parameters", r.path("details").path("parameter_size").asText());
            info.put("quantization", r.path("details").path("quantization_level").asText());
            info.put("context length", mi.path(arch + ".context_length").asLong());
            info.put("embedding length", mi.path(arch + ".embedding_length").asLong());
            info.put("layers", mi.path(arch + ".block_count").asLong());
            info.put("vocabulary", mi.path("tokenizer.ggml.vocab_size").asLong());
            info.put("pooling", mi.path(arch + ".pooling_type").asText());
            if (json) {
                out.println(new String(Json.bytes(info), StandardCharsets.UTF_8));
                return;
            }
            out.println("  Model");
            info.forEach((k, v) -> out.printf("    %-18s %s%n", k, v));
            for (String part : List.of("parameters", "system")) {
                String text = r.path(part).asText();
                if (!text.isBlank()) {
                    out.println();
                    out.println("  " + Character.toUpperCase(part.charAt(0)) + part.substring(1));
                    text.lines().forEach(l -> out.println("    " + l));
                }
            }
        }

        /** A model on one of the server's remote engines: where it runs. */
        private void showRemote(JsonNode r) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("engine", r.path("engine").asText());
            info.put("type", r.path("model_info").path("botgate.engine_type").asText());
            info.put("remote model", r.path("remote_model").asText());
            info.put("host", r.path("remote_host").asText());
            if (json) {
                out.println(new String(Json.bytes(info), StandardCharsets.UTF_8));
            } else {
                out.println("  Model (remote)");
                info.forEach((k, v) -> out.printf("    %-18s %s%n", k, v));
            }
        }
    }

    @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove models from the store.")
    static final class Remove extends CommandBase implements Runnable {
        @Parameters(paramLabel = "MODEL", arity = "1..*")
        List<String> models;

        @Override
        public void run() {
            ApiClient api = client();
            boolean server = api.serverRunning();
            for (String m : models) {
                if (server) {
                    api.delete("/api/delete", Map.of("model", m));
                } else {
                    store(this).delete(m);
                }
                out.println("deleted '" + m + "'");
            }
        }
    }

    @Command(name = "ps", mixinStandardHelpOptions = true, description = "List the models loaded by the running server.")
    static final class Ps extends CommandBase implements Runnable {
        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Override
        public void run() {
            JsonNode models = client().get("/api/ps").path("models");
            if (json) {
                out.println(models.toString());
                return;
            }
            List<String[]> rows = new ArrayList<>();
            for (JsonNode m : models) {
                rows.add(new String[]{m.path("name").asText(), ProgressBar.bytes(m.path("size").asLong()),
                        m.path("busy_slots").asInt() + "/" + m.path("slots").asInt(), m.path("queued").asText("0"),
                        m.path("context_length").asText(), "CPU"});
            }
            Table.print(out, new String[]{"NAME", "MEMORY (est.)", "BUSY SLOTS", "QUEUED", "CONTEXT", "PROCESSOR"}, rows);
        }
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version.")
    static final class VersionCommand extends CommandBase implements Runnable {
        @Override
        public void run() {
            out.println("botgate version " + Version.current());
            ApiClient api = client();
            if (api.serverRunning()) {
                try {
                    out.println("server at " + api.base() + " is version " + api.get("/api/version").path("version")
                            .asText());
                } catch (CliException e) {
                    out.println("server at " + api.base() + ": " + e.getMessage());
                }
            }
        }
    }

    static String ago(Instant t) {
        Duration d = Duration.between(t, Instant.now());
        if (d.toMinutes() < 1) {
            return "just now";
        }
        if (d.toHours() < 1) {
            return d.toMinutes() + " minutes ago";
        }
        if (d.toDays() < 1) {
            return d.toHours() + " hours ago";
        }
        return d.toDays() + " days ago";
    }

    static String humanCount(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1fB", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1fM", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.1fK", n / 1e3);
    }
}
