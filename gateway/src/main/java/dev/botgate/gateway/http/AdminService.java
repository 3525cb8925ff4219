package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.gateway.BotRegistry;
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
    /** Platform settings that are secrets: written, never shown again. */
    static final Set<String> SECRETS = Set.of("secret", "token", "encoding-aes-key", "previous-encoding-aes-key",
            "app-secret", "signing-secret", "bot-token", "encrypt-key", "verification-token");
    /** Keys a console bot may carry besides its channel's block. */
    private static final List<String> BOT_KEYS = List.of("id", "channel", "knowledge", "model", "system-prompt",
            "welcome", "fallback", "threshold", "top-k", "sensitive-words", "refusal", "rate-per-minute", "busy",
            "unsupported", "sources-label");
    /** What operators may change: the bot's texts. */
    private static final List<String> TEXT_KEYS = List.of("system-prompt", "welcome", "fallback", "refusal", "busy",
            "unsupported");
    private final BotRegistry registry;
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
    public AdminService(BotRegistry registry, BotAnswerer answerer, MessageLog log, Supplier<Set<String>> bases,
                        Clock clock) {
        this.registry = registry;
        this.bots = registry.bots();
        this.adapters = registry.adapters();
        this.problems = registry.problems();
        this.answerer = answerer;
        this.log = log;
        this.bases = bases;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/bots", this::bots)
             .post("/bots", (req, res) -> saveBot(req, res, Optional.empty()))
             .get("/bots/{id}", this::botSettings)
             .put("/bots/{id}", (req, res) -> saveBot(req, res, Optional.of(req.path().pathParameters().get("id"))))
             .put("/bots/{id}/texts", this::saveTexts)
             .delete("/bots/{id}", this::deleteBot)
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
            m.put("editable", registry.editable(b.id()));
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

    /** A bot's settings for the edit form; secrets come back empty, with {@code secrets_set} naming those stored. */
    private void botSettings(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        Bot bot = Optional.ofNullable(bots.get(id)).orElseThrow(() -> new BadRequestException(404, "no bot '" + id
                + "'"));
        Map<String, Object> m = new LinkedHashMap<>();
        if (registry.editable(id)) {
            m.putAll(registry.consoleBots().orElseThrow().get(id));
            List<String> set = new ArrayList<>();
            Object block = m.get(bot.config().channel());
            if (block instanceof Map<?, ?> platform) {
                Map<String, Object> shown = new LinkedHashMap<>();
                platform.forEach((k, v) -> {
                    if (SECRETS.contains(String.valueOf(k))) {
                        set.add(String.valueOf(k));
                        shown.put(String.valueOf(k), "");
                    } else {
                        shown.put(String.valueOf(k), v);
                    }
                });
                m.put(bot.config().channel(), shown);
            }
            m.put("secrets_set", set);
        } else {
            var c = bot.config();
            m.put("id", c.id());
            m.put("channel", c.channel());
            m.put("knowledge", c.knowledge());
            m.put("model", c.model().orElse(""));
            m.put("system-prompt", c.systemPrompt());
            m.put("welcome", c.welcome());
            m.put("fallback", c.fallback());
            m.put("threshold", c.threshold());
        }
        m.put("editable", registry.editable(id));
        Json.send(res, 200, m);
    }

    private void saveBot(ServerRequest req, ServerResponse res, Optional<String> existing) {
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        @SuppressWarnings("unchecked")
        Map<String, Object> given = Json.MAPPER.convertValue(body, LinkedHashMap.class);
        String id = existing.orElse(String.valueOf(given.getOrDefault("id", "")));
        if (existing.isEmpty() && bots.containsKey(id)) {
            throw new BadRequestException(409, "a bot '" + id + "' exists already");
        }
        if (existing.isPresent() && !bots.containsKey(id)) {
            throw new BadRequestException(404, "no bot '" + id + "'");
        }
        String channel = String.valueOf(given.getOrDefault("channel", ""));
        Map<String, Object> bot = new LinkedHashMap<>();
        for (String k : BOT_KEYS) {
            Object v = given.get(k);
            if (v != null && !(v instanceof String str && str.isBlank() && !k.equals("id") && !k.equals("channel"))) {
                bot.put(k, v);
            }
        }
        bot.put("id", id);
        if (!channel.equals("local") && given.get(channel) instanceof Map<?, ?> platform) {
            Map<String, Object> block = new LinkedHashMap<>();
            Map<String, Object> stored = registry.editable(id) && registry.consoleBots().orElseThrow().get(id)
                    .get(channel) instanceof Map<?, ?> old ? castMap(old) : Map.of();
            platform.forEach((k, v) -> {
                String key = String.valueOf(k);
                String value = String.valueOf(v == null ? "" : v);
                // A secret left empty keeps the stored one: the form never shows secrets.
                if (value.isEmpty() && SECRETS.contains(key) && stored.containsKey(key)) {
                    block.put(key, stored.get(key));
                } else if (!value.isEmpty()) {
                    block.put(key, value);
                }
            });
            bot.put(channel, block);
        }
        try {
            registry.putConsoleBot(bot);
        } catch (dev.botgate.gateway.ConfigException e) {
            throw new BadRequestException(e.getMessage().contains("read-only") ? 409 : 400, e.getMessage());
        }
        Json.send(res, existing.isPresent() ? 200 : 201, Map.of("id", id, "saved", true));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private void saveTexts(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!bots.containsKey(id)) {
            throw new BadRequestException(404, "no bot '" + id + "'");
        }
        if (!registry.editable(id)) {
            throw new BadRequestException(409, "bot '" + id + "' is declared in the configuration file; change its "
                    + "texts there");
        }
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        Map<String, Object> bot = registry.consoleBots().orElseThrow().get(id);
        for (String k : TEXT_KEYS) {
            if (body.hasNonNull(k)) {
                bot.put(k, body.get(k).asText());
            }
        }
        try {
            registry.putConsoleBot(bot);
        } catch (dev.botgate.gateway.ConfigException e) {
            throw new BadRequestException(e.getMessage());
        }
        Json.send(res, 200, Map.of("id", id, "saved", true));
    }

    private void deleteBot(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        if (!bots.containsKey(id)) {
            throw new BadRequestException(404, "no bot '" + id + "'");
        }
        if (!registry.removeConsoleBot(id)) {
            throw new BadRequestException(409, "bot '" + id + "' is declared in the configuration file; remove it there");
        }
        res.status(204).send();
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
        java.time.Instant asked = clock.instant();
        if (!stream) {
            Answer a = answerer.answer(bot, conversation, conversation, message, s -> { });
            log.recordFinished("console", id, conversation, sender, message, asked, a.text(), a.policy().label(),
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
            log.recordFinished("console", id, conversation, sender, message, asked, a.text(), a.policy().label(),
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
