package dev.botgate.backend.engine.remote;

import java.util.Objects;

/**
 * A model served by a remote engine, as model lists show it.
 *
 * @param name   Botgate's name
 * @param engine the engine's name
 * @param type   the engine's protocol, {@code openai} or {@code ollama}
 * @param remote the server's name of the model
 * @param host   the first server's base URL
 */
public record RemoteModel(String name, String engine, String type, String remote, String host) {
    public RemoteModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(host, "host");
    }
}
