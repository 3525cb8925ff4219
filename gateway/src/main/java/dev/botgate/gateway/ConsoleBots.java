package dev.botgate.gateway;

import dev.botgate.gateway.http.Json;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Bots made in the console, kept in {@code console-bots.yaml} in the data directory (mode 0600: it holds platform
 * secrets). The file is a {@code bots:} list with the same keys as the configuration file's, written as JSON (which
 * YAML reads), and replaced atomically on each change.
 */
public final class ConsoleBots {
    private final Path file;
    private final List<Map<String, Object>> entries = new ArrayList<>();

    public ConsoleBots(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                var root = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
                for (var b : root.path("bots")) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = Json.MAPPER.convertValue(b, LinkedHashMap.class);
                    entries.add(m);
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    /** The bots as a configuration {@code bots:} node. */
    synchronized Config node() {
        return asConfig(entries);
    }

    /** A {@code bots:} node holding these entries. */
    static Config asConfig(List<Map<String, Object>> bots) {
        String json = new String(Json.bytes(Map.of("bots", bots)), StandardCharsets.UTF_8);
        return Config.just(ConfigSources.create(json, MediaTypes.APPLICATION_X_YAML)).get("bots");
    }

    /** Ids of the console's bots. */
    public synchronized Set<String> ids() {
        Set<String> ids = new TreeSet<>();
        entries.forEach(e -> ids.add(String.valueOf(e.get("id"))));
        return ids;
    }

    /** One bot's stored settings, secrets included (callers mask them). */
    public synchronized Map<String, Object> get(String id) {
        return entries.stream().filter(e -> id.equals(e.get("id"))).findFirst().map(LinkedHashMap::new)
                .orElseThrow(() -> new ConfigException("no console bot '" + id + "'"));
    }

    synchronized void put(Map<String, Object> bot) {
        entries.removeIf(e -> e.get("id").equals(bot.get("id")));
        entries.add(bot);
        write();
    }

    synchronized void remove(String id) {
        entries.removeIf(e -> id.equals(e.get("id")));
        write();
    }

    private void write() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            DataDirectory.createPrivateFile(tmp);
            Files.write(tmp, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(Map.of("bots", entries)));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
