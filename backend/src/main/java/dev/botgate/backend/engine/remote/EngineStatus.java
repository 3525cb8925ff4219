package dev.botgate.backend.engine.remote;

import java.util.List;

/**
 * One remote engine and its servers, for {@code /admin/engines} and the health details.
 *
 * @param name    the engine's name
 * @param type    {@code openai} or {@code ollama}
 * @param models  Botgate's names of the models it serves now
 * @param servers each server of its pool
 */
public record EngineStatus(String name, String type, List<String> models, List<ServerStatus> servers) {
    public EngineStatus {
        models = List.copyOf(models);
        servers = List.copyOf(servers);
    }

    /** Whether at least one server takes requests. */
    public boolean up() {
        return servers.stream().anyMatch(ServerStatus::up);
    }
}
