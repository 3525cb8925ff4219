package dev.botgate.backend.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Well-known model names and where to download them: {@code qwen2.5:0.5b} and friends. The built-in list is the
 * resource {@code catalogue.json} beside this class; a deployment can add its own (same format) with {@link #load}
 * and {@link #with}.
 *
 * <pre>{@code
 * {"models": [
 *   {"name": "qwen2.5:0.5b", "url": "https://.../qwen2.5-0.5b-instruct-q4_k_m.gguf", "size": 491400032,
 *    "sha256": "74a4...", "license": "Apache-2.0", "description": "..."},
 *   {"name": "qwen2.5:latest", "alias": "qwen2.5:1.5b"}
 * ]}
 * }</pre>
 */
public final class Catalogue {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, CatalogueEntry> entries;

    private Catalogue(Map<String, CatalogueEntry> entries) {
        this.entries = entries;
    }

    /** The models this Botgate knows by name. */
    public static Catalogue builtIn() {
        try (InputStream in = Catalogue.class.getResourceAsStream("catalogue.json")) {
            if (in == null) {
                throw new IllegalStateException("catalogue.json is missing from the backend jar");
            }
            return parse(in.readAllBytes(), "built-in catalogue");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** No models at all. */
    public static Catalogue empty() {
        return new Catalogue(Map.of());
    }

    /**
     * Reads a catalogue file.
     *
     * @throws StoreException when it cannot be read or an entry is invalid (the message names the entry)
     */
    public static Catalogue load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new StoreException("cannot read catalogue " + file + ": " + e.getMessage(), e);
        }
    }

    /** A catalogue of these entries. */
    public static Catalogue of(List<CatalogueEntry> list) {
        Map<String, CatalogueEntry> map = new LinkedHashMap<>();
        list.forEach(e -> map.put(e.name(), e));
        return new Catalogue(Map.copyOf(map));
    }

    /** This catalogue with {@code more}'s entries added; an entry of the same name in {@code more} wins. */
    public Catalogue with(Catalogue more) {
        Map<String, CatalogueEntry> map = new LinkedHashMap<>(entries);
        map.putAll(more.entries);
        return new Catalogue(Map.copyOf(map));
    }

    /** The entry for {@code name} ({@code qwen2.5} means {@code qwen2.5:latest}). */
    public Optional<CatalogueEntry> find(String name) {
        if (!ModelName.isValid(name)) {
            return Optional.empty();
        }
        return Optional.ofNullable(entries.get(ModelName.parse(name).toString()));
    }

    /** All entries, sorted by name. */
    public List<CatalogueEntry> entries() {
        return entries.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    private static Catalogue parse(byte[] bytes, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new StoreException(source + " is not valid JSON: " + e.getMessage());
        }
        JsonNode models = root.path("models");
        if (!models.isArray()) {
            throw new StoreException(source + " has no \"models\" array");
        }
        Map<String, CatalogueEntry> map = new LinkedHashMap<>();
        Map<String, String> aliases = new LinkedHashMap<>();
        for (JsonNode m : models) {
            String name = m.path("name").asText("");
            try {
                if (m.has("alias")) {
                    aliases.put(ModelName.parse(name).toString(), ModelName.parse(m.get("alias").asText()).toString());
                    continue;
                }
                String sha = m.path("sha256").asText("");
                CatalogueEntry e = new CatalogueEntry(name, URI.create(m.path("url").asText("")),
                        m.path("size").asLong(0), sha.isEmpty() ? Optional.empty() : Optional.of(sha),
                        m.path("license").asText(""), m.path("description").asText(""));
                map.put(e.name(), e);
            } catch (RuntimeException e) {
                throw new StoreException(source + ": entry '" + name + "' is invalid: " + e.getMessage());
            }
        }
        List<String> missing = new ArrayList<>();
        aliases.forEach((alias, target) -> {
            CatalogueEntry t = map.get(target);
            if (t == null) {
                missing.add(alias + " -> " + target);
            } else {
                map.put(alias, t.named(alias));
            }
        });
        if (!missing.isEmpty()) {
            throw new StoreException(source + ": aliases point at entries that do not exist: " + missing);
        }
        return new Catalogue(Map.copyOf(map));
    }
}
