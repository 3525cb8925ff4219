package dev.botgate.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's {@code context} for {@code /api/generate}: an opaque array of integers a client sends back to continue.
 * Ollama puts token ids there; Botgate puts the exchange so far (its turns as a JSON array of strings, as Unicode
 * code points) and turns it back into chat turns, so a continued generation sees the earlier prompt and answer.
 */
final class OllamaContext {
    /** The most turns a context keeps (the oldest go first), so it cannot grow without bound. */
    static final int MAX_TURNS = 32;

    private OllamaContext() {
    }

    /** The turns a client's {@code context} carries: user and assistant alternating. */
    static List<ChatMessage> read(JsonNode body) {
        JsonNode context = body.get("context");
        if (context == null || context.isNull() || (context.isArray() && context.isEmpty())) {
            return List.of();
        }
        if (!context.isArray()) {
            throw new BadRequestException("field 'context' must be the array a previous /api/generate returned");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode n : context) {
            if (!n.canConvertToInt() || n.asInt() < 0 || n.asInt() > Character.MAX_CODE_POINT) {
                throw new BadRequestException("field 'context' is not one this server returned");
            }
            text.appendCodePoint(n.asInt());
        }
        JsonNode turns;
        try {
            turns = Json.MAPPER.readTree(text.toString());
        } catch (JsonProcessingException e) {
            throw new BadRequestException("field 'context' is not one this server returned (token ids of another "
                    + "server cannot be continued here)");
        }
        if (turns == null || !turns.isArray()) {
            throw new BadRequestException("field 'context' is not one this server returned");
        }
        List<ChatMessage> out = new ArrayList<>();
        int i = 0;
        for (JsonNode t : turns) {
            out.add(new ChatMessage(i++ % 2 == 0 ? "user" : "assistant", t.asText("")));
        }
        return out;
    }

    /** The context to return: the earlier turns, this prompt and this answer. */
    static int[] write(List<ChatMessage> earlier, String prompt, String answer) {
        List<String> turns = new ArrayList<>();
        earlier.forEach(m -> turns.add(m.content()));
        turns.add(prompt);
        turns.add(answer);
        List<String> kept = turns.subList(Math.max(0, turns.size() - MAX_TURNS), turns.size());
        if (kept.size() % 2 != 0) {
            kept = kept.subList(1, kept.size());
        }
        return new String(Json.bytes(kept), java.nio.charset.StandardCharsets.UTF_8).codePoints().toArray();
    }
}
