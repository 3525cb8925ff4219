package dev.botgate.adapters;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** The official test vectors (a copy of the protocol notes' vectors.json, in test resources). */
public final class Vectors {
    private Vectors() {
    }

    /** Every vector of a platform and kind. */
    public static List<JsonNode> of(String platform, String kind) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode v : all()) {
            if (v.path("platform").asText().equals(platform) && v.path("kind").asText().equals(kind)) {
                out.add(v);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no vectors for " + platform + "/" + kind);
        }
        return out;
    }

    /** Every vector. */
    public static List<JsonNode> all() {
        try (InputStream in = Vectors.class.getResourceAsStream("/vectors.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> out = new ArrayList<>();
            root.path("official").forEach(out::add);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Vectors as TestNG data rows {id, node}. */
    public static Object[][] rows(String platform, String kind) {
        return of(platform, kind).stream().map(v -> new Object[] {v.path("id").asText(), v})
                .toArray(Object[][]::new);
    }
}
