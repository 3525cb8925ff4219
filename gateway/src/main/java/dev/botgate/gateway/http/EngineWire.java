package dev.botgate.gateway.http;

import dev.botgate.backend.engine.remote.RemoteModel;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How models served by remote engines appear on the Ollama API: Ollama's own fields for models that run elsewhere
 * ({@code remote_model}, {@code remote_host}) plus Botgate's {@code engine}.
 */
final class EngineWire {
    private EngineWire() {
    }

    /** An entry of {@code /api/tags}. */
    record RemoteTag(String name, String model, String modifiedAt, long size, String digest,
                     OllamaWire.Details details, String remoteModel, String remoteHost, String engine) {
    }

    /** {@code /api/show} of a remote model: where it runs instead of a Modelfile and GGUF header. */
    record RemoteShow(String modelfile, String parameters, String template, String system, OllamaWire.Details details,
                      Map<String, Object> modelInfo, List<String> capabilities, String modifiedAt, String remoteModel,
                      String remoteHost, String engine) {
    }

    static RemoteTag tag(RemoteModel m, Instant since) {
        return new RemoteTag(m.name(), m.name(), since.toString(), 0, "", details(m), m.remote(), m.host(), m.engine());
    }

    static RemoteShow show(RemoteModel m, Instant since) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("botgate.engine", m.engine());
        info.put("botgate.engine_type", m.type());
        info.put("botgate.remote_model", m.remote());
        info.put("botgate.remote_host", m.host());
        return new RemoteShow("# " + m.name() + " runs on engine '" + m.engine() + "' (" + m.type() + ", " + m.host()
                + ") as '" + m.remote() + "'\n", "", "", "", details(m), info, List.of("completion"), since.toString(),
                m.remote(), m.host(), m.engine());
    }

    private static OllamaWire.Details details(RemoteModel m) {
        return new OllamaWire.Details("", "remote", m.engine(), List.of(m.engine()), "", "");
    }
}
