package dev.botgate.gateway;

import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.RoutingEngine;
import dev.botgate.knowledge.index.Embedder;
import dev.botgate.knowledge.index.KnowledgeException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * An embedding model served by a remote engine, seen by the knowledge bases as an {@link Embedder}: the adapter
 * between the two modules, which do not know each other. Texts go in batches; vectors come back L2-normalised (the
 * index compares them by dot product); the dimension is learned from the first answer and every later vector is
 * checked against it.
 */
final class RemoteEmbedder implements Embedder {
    /** Texts per request: small enough for any server's batch limit, large enough to keep a GPU busy. */
    static final int BATCH = 64;
    private final RoutingEngine engine;
    private final String model;
    private volatile int dimension = -1;

    private RemoteEmbedder(RoutingEngine engine, String model) {
        this.engine = engine;
        this.model = model;
    }

    /** The knowledge bases' resolver for models other than the built-in one: one embedder per remote model. */
    static Function<String, Optional<Embedder>> resolver(Engine engine) {
        Map<String, Embedder> made = new ConcurrentHashMap<>();
        return model -> RoutingEngine.of(engine).filter(r -> r.remoteModel(model).isPresent())
                .map(r -> made.computeIfAbsent(model, m -> new RemoteEmbedder(r, m)));
    }

    @Override
    public String modelId() {
        return model;
    }

    /** Asks the engine once (one short text) when not known yet. */
    @Override
    public int dimension() {
        if (dimension < 0) {
            embed(List.of("dimension"));
        }
        return dimension;
    }

    @Override
    public float[][] embed(List<String> texts) {
        float[][] out = new float[texts.size()][];
        for (int from = 0; from < texts.size(); from += BATCH) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + BATCH));
            float[][] vectors;
            try {
                vectors = engine.embed(model, batch);
            } catch (EngineException e) {
                throw new KnowledgeException("embedding with '" + model + "' failed: " + e.getMessage(), e);
            }
            for (int i = 0; i < vectors.length; i++) {
                out[from + i] = normalised(vectors[i]);
            }
        }
        return out;
    }

    @Override
    public float[] embedQuery(String query) {
        return embed(List.of(query))[0];
    }

    @Override
    public void close() {
        // nothing held here; the engine is closed with the application
    }

    private float[] normalised(float[] v) {
        int d = dimension;
        if (d < 0) {
            dimension = v.length;
        } else if (v.length != d) {
            throw new KnowledgeException("embedding model '" + model + "' returned " + v.length + " dimensions, not "
                    + "the " + d + " it gave before; the engine serves another model under this name now");
        }
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        if (norm == 0) {
            return v;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * scale;
        }
        return out;
    }
}
