package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.store.ModelStore;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Ollama's blob upload, what {@code ollama create} sends for a local GGUF: {@code HEAD /api/blobs/:digest} asks
 * whether the server has the file, {@code POST} uploads it (checked against its digest), and {@code /api/create}
 * with {@code files} names it. Uploads wait in the store's {@code uploads} folder; creating a model checks and imports
 * them like any local file.
 *
 * <pre>
 * curl -I localhost:8080/api/blobs/sha256:…
 * curl -T model.gguf -X POST localhost:8080/api/blobs/sha256:…
 * </pre>
 */
public final class BlobService implements HttpService {
    private static final Pattern DIGEST = Pattern.compile("sha256[:-]([0-9a-f]{64})");
    private final ModelStore store;

    public BlobService(ModelStore store) {
        this.store = store;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/blobs/{digest}", this::exists)
             .post("/blobs/{digest}", this::upload);
    }

    private void exists(ServerRequest req, ServerResponse res) {
        Path file = upload(store, hex(req.path().pathParameters().get("digest")));
        res.status(Files.isRegularFile(file) ? 200 : 404).send();
    }

    private void upload(ServerRequest req, ServerResponse res) throws IOException {
        String hex = hex(req.path().pathParameters().get("digest"));
        Path target = upload(store, hex);
        Files.createDirectories(target.getParent());
        Path part = Files.createTempFile(target.getParent(), "upload-", ".part");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = req.content().inputStream(); OutputStream out = Files.newOutputStream(part)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    sha.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            }
            String got = HexFormat.of().formatHex(sha.digest());
            if (!got.equals(hex)) {
                throw new BadRequestException("the uploaded file's digest is sha256:" + got + ", not sha256:" + hex);
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(part);
        }
        res.status(201).send();
    }

    /** The FROM line's path for {@code create}'s {@code files}: one uploaded GGUF. */
    static String fromFiles(ModelStore store, JsonNode files) {
        if (files == null || !files.isObject() || files.size() != 1) {
            throw new BadRequestException("files must name exactly one GGUF file: {\"model.gguf\": \"sha256:…\"} "
                    + "(several files, such as safetensors, are not supported)");
        }
        Iterator<Map.Entry<String, JsonNode>> it = files.properties().iterator();
        Map.Entry<String, JsonNode> only = it.next();
        Path file = upload(store, hex(only.getValue().asText("")));
        if (!Files.isRegularFile(file)) {
            throw new BadRequestException("file '" + only.getKey() + "' (" + only.getValue().asText()
                    + ") was not uploaded; POST it to /api/blobs/" + only.getValue().asText() + " first");
        }
        return file.toAbsolutePath().toString();
    }

    private static Path upload(ModelStore store, String hex) {
        return store.root().resolve("uploads").resolve("sha256-" + hex);
    }

    private static String hex(String digest) {
        var m = DIGEST.matcher(digest == null ? "" : digest);
        if (!m.matches()) {
            throw new BadRequestException("a blob digest is sha256:<64 hex digits>, not '" + digest + "'");
        }
        return m.group(1);
    }
}
