package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.gateway.pipeline.Answer;
import dev.botgate.gateway.pipeline.Bot;
import dev.botgate.gateway.pipeline.BotAnswerer;
import dev.botgate.gateway.pipeline.MessageLog;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bots and conversations under {@code /admin}.
 *
 * <pre>
 * curl localhost:8080/admin/bots                                   # bots, their health, config problems
 * curl localhost:8080/admin/bots/demo/chat -d '{"message":"怎么退货？","conversation_id":"me"}'   # NDJSON
 * curl localhost:8080/admin/conversations                          # recent platform messages and answers
 * curl 'localhost:8080/admin/conversations?conversation=KEY'
 * </pre>
 */
public final class AdminService implements HttpService {
    private final Map<String, Bot> bots;
    private final Map<String, ChannelAdapter> adapters;
    private final List<String> problems;
    private final BotAnswerer answerer;
    private final MessageLog log;

    public AdminService(Map<String, Bot> bots, Map<String, ChannelAdapter> adapters, List<String> problems,
                        BotAnswerer answerer, MessageLog log) {
        this.bots = Map.copyOf(bots);
        this.adapters = Map.copyOf(adapters);
        this.problems = List.copyOf(problems);
        this.answerer = answerer;
        this.log = log;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/bots", this::bots)
             .post("/bots/{id}/chat", this::chat)
             .get("/conversations", this::conversations);
    }

    private void bots(ServerRequest req, ServerResponse res) {
        List<Map<String, Object>> out = new ArrayList<>();
        bots.values().forEach(b -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.id());
            m.put("channel", b.config().channel());
            m.put("callback", b.config().channel().equals("local") ? "" : "/hooks/" + b.config().channel() + "/" + b.id());
            m.put("knowledge", b.config().knowledge());
            m.put("model", b.config().model().orElse(""));
            m.put("threshold", b.config().threshold());
            ChannelAdapter a = adapters.get(b.id());
            if (a != null) {
                m.put("health", a.health());
            }
            out.add(m);
        });
        Json.send(res, 200, Map.of("bots", out, "problems", problems));
    }

    private void chat(ServerRequest req, ServerResponse res) throws IOException {
        String id = req.path().pathParameters().get("id");
        Bot bot = bots.get(id);
        if (bot == null) {
            throw new BadRequestException(404, "no bot '" + id + "'; the configured bots are " + bots.keySet());
        }
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String message = JsonFields.requiredText(body, "message");
        boolean stream = JsonFields.bool(body, "stream", true);
        String conversation = BotChat.conversation(body, id);
        if (!stream) {
            Json.send(res, 200, done(answerer.answer(bot, conversation, conversation, message, s -> { }), conversation));
            return;
        }
        try (NdjsonResponse out = new NdjsonResponse(res, "application/x-ndjson")) {
            int[] sent = {0};
            Answer a = answerer.answer(bot, conversation, conversation, message, soFar -> {
                try {
                    out.line(Map.of("delta", soFar.substring(Math.min(sent[0], soFar.length()))));
                    sent[0] = soFar.length();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            out.line(done(a, conversation));
        } catch (UncheckedIOException e) {
            // client went away; the generation was cancelled by the answerer
        }
    }

    private static Map<String, Object> done(Answer a, String conversation) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("done", true);
        m.put("answer", a.text());
        m.put("sources", a.sources());
        m.put("policy", a.policy().label());
        m.put("conversation_id", conversation.substring(conversation.indexOf(':', 4) + 1));
        return m;
    }

    private void conversations(ServerRequest req, ServerResponse res) {
        Optional<String> conversation = req.query().first("conversation").asOptional();
        int limit;
        try {
            limit = req.query().first("limit").asOptional().map(Integer::parseInt).orElse(100);
        } catch (NumberFormatException e) {
            throw new BadRequestException("limit must be a whole number");
        }
        if (limit < 1) {
            throw new BadRequestException("limit must be at least 1");
        }
        Json.send(res, 200, Map.of("messages", log.recent(conversation, Math.min(limit, 1000))));
    }
}
