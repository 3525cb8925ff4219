package dev.botgate.gateway;

import dev.botgate.gateway.http.ApiKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * API keys kept in {@code $BOTGATE_HOME/api-keys}, beside those in the config ({@code server.api-keys}). One key a
 * line, as its scope and SHA-256 hash: {@code use:sha256:<hex>} or {@code admin:sha256:<hex>}. A line with no scope,
 * {@code sha256:<hex>} (how keys were stored before they had scopes), is an admin key, the power it had then. Lines
 * that are neither (comments, blanks) are ignored. Keys themselves are shown once when created and never stored.
 */
public final class ApiKeyFile {
    private static final String HEADER = "# Botgate API keys, one a line: use:sha256:<hex> or admin:sha256:<hex> (the "
            + "SHA-256 of the key; keys are never stored).\n# A bare sha256:<hex> is an admin key. Create keys with: "
            + "botgate keys new --scope use|admin\n";
    private final Path file;
    private final List<String> configured;

    /** @param configured the config's entries, in the same format (checked by {@link Settings}) */
    public ApiKeyFile(Path file, List<String> configured) {
        this.file = file;
        this.configured = List.copyOf(configured);
    }

    /** A key as listed by {@code botgate keys list}: where it is kept. */
    public record Listed(ApiKeys.Key key, String source) {
    }

    /** Every accepted key: the config's and the file's. */
    public List<ApiKeys.Key> keys() {
        return listed().stream().map(Listed::key).distinct().toList();
    }

    /** Every accepted key with where it is kept, config first. */
    public List<Listed> listed() {
        List<Listed> all = new ArrayList<>();
        configured.forEach(c -> ApiKeys.Key.parse(c).ifPresent(k -> all.add(new Listed(k, "server.api-keys"))));
        if (Files.isRegularFile(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    ApiKeys.Key.parse(line).ifPresent(k -> all.add(new Listed(k, file.toString())));
                }
            } catch (IOException e) {
                throw new ConfigException("cannot read API keys from " + file + ": " + e.getMessage());
            }
        }
        return all;
    }

    /** Every accepted key in its stored form ({@code scope:sha256:<hex>}). */
    public Set<String> hashes() {
        Set<String> all = new LinkedHashSet<>();
        keys().forEach(k -> all.add(k.stored()));
        return all;
    }

    /** Creates an admin key; see {@link #create(ApiKeys.Scope)}. */
    public String create() {
        return create(ApiKeys.Scope.ADMIN);
    }

    /** Creates a key with {@code scope}, stores its hash (file readable by the owner only) and returns the key. */
    public String create(ApiKeys.Scope scope) {
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
                Files.writeString(file, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(file, new ApiKeys.Key(scope, ApiKeys.hash(key)).stored() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new ConfigException("cannot write API key hash to " + file + ": " + e.getMessage());
        }
        return key;
    }
}
