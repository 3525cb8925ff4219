package dev.botgate.backend.engine;

import dev.botgate.backend.engine.remote.EngineStatus;
import dev.botgate.backend.engine.remote.RemoteEngine;
import dev.botgate.backend.engine.remote.RemoteModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The one {@link Engine} the application talks to: routes each request by model name to the in-process engine or to
 * the remote engine that serves it. Local and remote models share one namespace; a model listed by name in an
 * engine's {@code models} may not also be a local model (refused at start, naming both). Models a remote engine lists
 * by itself ({@code models: auto}) give way to a local model of the same name.
 */
public final class RoutingEngine implements Engine {
    private final Engine local;
    private final Predicate<String> isLocal;
    private final List<RemoteEngine> remotes;

    /**
     * @param local   the in-process engine
     * @param isLocal whether the local store has a model of that name
     * @param remotes the configured remote engines, in configuration order
     * @throws IllegalArgumentException when a configured remote model has the name of a local one
     */
    public RoutingEngine(Engine local, Predicate<String> isLocal, List<RemoteEngine> remotes) {
        this.local = Objects.requireNonNull(local, "local");
        this.isLocal = Objects.requireNonNull(isLocal, "isLocal");
        this.remotes = List.copyOf(remotes);
        for (RemoteEngine r : this.remotes) {
            for (var m : r.config().models()) {
                if (localModel(m.name())) {
                    throw new IllegalArgumentException("model '" + m.name() + "' of engine '" + r.name()
                            + "' clashes with the local model '" + m.name() + "' in the model store: rename one "
                            + "(engines: models: [{name: OTHER, remote: " + m.remote() + "}]) or remove the local "
                            + "one (botgate rm " + m.name() + ")");
                }
            }
        }
    }

    /** The routing engine behind {@code engine}, if it is one (tests may wire a bare engine). */
    public static Optional<RoutingEngine> of(Engine engine) {
        return engine instanceof RoutingEngine r ? Optional.of(r) : Optional.empty();
    }

    @Override
    public Generation submit(GenerationRequest request, Consumer<GenerationEvent> listener) {
        return route(request.model()).submit(request, listener);
    }

    /**
     * Embeds texts with a model a remote engine serves (the local embedding model lives in the knowledge module).
     *
     * @throws ModelNotFoundException when no remote engine serves the model
     */
    public float[][] embed(String model, List<String> texts) {
        RemoteEngine r = remoteFor(model);
        if (r == null) {
            throw new ModelNotFoundException(model);
        }
        return r.embed(model, texts);
    }

    /** Local models only: nothing of a remote engine is loaded here. */
    @Override
    public List<LoadedModel> loaded() {
        return local.loaded();
    }

    /** The remote model of that name, if a remote engine serves it (and no local model takes precedence). */
    public Optional<RemoteModel> remoteModel(String name) {
        RemoteEngine r = remoteFor(name);
        if (r == null) {
            return Optional.empty();
        }
        String remote = r.remoteName(name).orElseThrow();
        return r.models().stream().filter(m -> m.remote().equals(remote)).findFirst();
    }

    /** Every model the remote engines serve now; auto-listed ones hidden by a local model are left out. */
    public List<RemoteModel> remoteModels() {
        List<RemoteModel> out = new ArrayList<>();
        for (RemoteEngine r : remotes) {
            for (RemoteModel m : r.models()) {
                if (r.config().autoModels() && localModel(m.name())) {
                    continue;
                }
                out.add(m);
            }
        }
        return out;
    }

    /** Each remote engine's state. */
    public List<EngineStatus> engines() {
        return remotes.stream().map(RemoteEngine::status).toList();
    }

    /** The local engine (the gateway reads its counters). */
    public Engine local() {
        return local;
    }

    @Override
    public void close() {
        remotes.forEach(RemoteEngine::close);
        local.close();
    }

    private Engine route(String model) {
        RemoteEngine r = remoteFor(model);
        return r != null ? r : local;
    }

    private RemoteEngine remoteFor(String model) {
        for (RemoteEngine r : remotes) {
            if (!r.config().autoModels() && r.remoteName(model).isPresent()) {
                return r;
            }
        }
        boolean autoMatch = remotes.stream().anyMatch(r -> r.config().autoModels() && r.remoteName(model).isPresent());
        if (!autoMatch || localModel(model)) {
            return null;
        }
        for (RemoteEngine r : remotes) {
            if (r.config().autoModels() && r.remoteName(model).isPresent()) {
                return r;
            }
        }
        return null;
    }

    private boolean localModel(String name) {
        try {
            return isLocal.test(name);
        } catch (RuntimeException e) {
            return false; // not a name the store accepts, so not a local model
        }
    }
}
