package dev.botgate.gateway;

import dev.botgate.gateway.http.ApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * API key hashes kept in {@code $BOTGATE_HOME/api-keys}, one {@code sha256:<hex>} per line, beside those in the
 * config. Keys themselves are shown once when created and never stored.
 */
public final class ApiKeyFile {
    private final Path file;
    private final List<String> configured;

    public ApiKeyFile(Path file, List<String> configured) {
        this.file = file;
        this.configured = List.copyOf(configured);
    }

    /** Every accepted hash: the config's and the file's. */
    public Set<String> hashes() {
        Set<String> all = new LinkedHashSet<>(configured);
        if (Files.isRegularFile(file)) {
            try {
                Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                        .filter(l -> l.matches("sha256:[0-9a-f]{64}")).forEach(all::add);
            } catch (IOException e) {
                throw new ConfigException("cannot read API keys from " + file + ": " + e.getMessage());
            }
        }
        return all;
    }

    /** Creates a key, stores its hash (file readable by the owner only) and returns the key. */
    public String create() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = "bg-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!Files.exists(file)) {
                Files.createFile(file);
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: the hash alone does not reveal the key anyway
                }
            }
            Files.writeString(file, ApiKeys.hash(key) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ConfigException("cannot write API key hash to " + file + ": " + e.getMessage());
        }
        return key;
    }
}
