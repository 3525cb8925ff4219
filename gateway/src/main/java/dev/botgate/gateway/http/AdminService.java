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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

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
    /** Request context key under which a console session leaves its user name. */
    public static final String USER = "botgate.user";
    private final Map<String, Bot> bots;
    private final Map<String, ChannelAdapter> adapters;
    private final List<String> problems;
    private final BotAnswerer answerer;
    private final MessageLog log;
    private final Supplier<Set<String>> bases;
    private final Clock clock;
    /** How far back failed sends count against a bot's health. */
    static final Duration SEND_FAILURE_WINDOW = Duration.ofMinutes(30);

    /**
     * @param bases the knowledge bases that exist now, so a bot whose base is missing or was deleted is not "OK"
     */
    public AdminService(Map<String, Bot> bots, Map<String, ChannelAdapter> adapters, List<String> problems,
                        BotAnswerer answerer, MessageLog log, Supplier<Set<String>> bases, Clock clock) {
        this.bots = Map.copyOf(bots);
        this.adapters = Map.copyOf(adapters);
        this.problems = List.copyOf(problems);
        this.answerer = answerer;
        this.log = log;
        this.bases = bases;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/bots", this::bots)
             .post("/bots/{id}/chat", this::chat)
             .get("/conversations", this::conversations);
    }

    private void bots(ServerRequest req, ServerResponse res) {
        List<Map<String, Object>> out = new ArrayList<>();
        Set<String> existing = bases.get();
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
            List<String> issues = issues(b, a, existing);
            m.put("status", issues.isEmpty() ? "ok" : "error");
            m.put("issues", issues);
            out.add(m);
        });
        Json.send(res, 200, Map.of("bots", out, "problems", problems));
    }

    /** What is wrong with a bot now, one line each: the health the console shows. Empty means OK. */
    private List<String> issues(Bot b, ChannelAdapter a, Set<String> existing) {
        List<String> issues = new ArrayList<>();
        for (String kb : b.config().knowledge()) {
            if (!existing.contains(kb)) {
                issues.add("knowledge base '" + kb + "' does not exist: every question gets the fallback; create it "
                        + "or change the bot's knowledge");
            }
        }
        if (a != null) {
            var h = a.health();
            if (!h.tokenOk()) {
                issues.add("access token: " + h.lastError().orElse("the platform refused the credentials"));
            } else if (!h.healthy()) {
                issues.add("platform link: " + h.lastError().orElse("the last call failed"));
            }
        }
        List<MessageLog.Entry> failed = log.failedSince(b.id(), clock.instant().minus(SEND_FAILURE_WINDOW));
        if (!failed.isEmpty()) {
            issues.add(failed.size() + " answer(s) could not be sent in the last " + SEND_FAILURE_WINDOW.toMinutes()
                    + " minutes; last error: " + failed.get(0).lastError());
        }
        return issues;
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
        // The signed-in console user, when a session authenticated the request (SessionAuthentication).
        String sender = req.context().get(USER, String.class).orElse("local");
        if (!stream) {
            Answer a = answerer.answer(bot, conversation, conversation, message, s -> { });
            log.recordFinished("console", id, conversation, sender, message, a.text(), a.policy().label(),
                    Optional.empty());
            Json.send(res, 200, done(a, conversation));
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
            log.recordFinished("console", id, conversation, sender, message, a.text(), a.policy().label(),
                    Optional.empty());
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
