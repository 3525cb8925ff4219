package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.pipeline.Answer;
import dev.botgate.gateway.pipeline.Bot;
import dev.botgate.gateway.pipeline.BotAnswerer;
import dev.botgate.gateway.pipeline.ConversationContext;
import dev.botgate.gateway.pipeline.MessageLog;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A bot answering over HTTP, through the same pipeline as the platforms: the OpenAI-compatible API with
 * {@code "model": "bot/ID"} (what FastGPT calls publishing an app as an API) and the admin chat. A client that sends
 * the conversation (several turns, OpenAI's convention) has it used as the history; one that sends a single turn
 * gets the server's memory of the conversation, keyed by the request's {@code user} field (or
 * {@code conversation_id}; without either, each request stands alone). {@code max_tokens} limits a model answer,
 * {@code usage} counts tokens (the model's count, or an estimate for answers no model wrote), the sources are also
 * appended to the text as numbered citations (clients drop unknown fields such as {@code sources}), and each chat is
 * recorded in the message log on channel {@code api} like any platform's.
 */
public final class BotChat {
    private final Map<String, Bot> bots;
    private final BotAnswerer answerer;
    private final Optional<MessageLog> log;

    public BotChat(Map<String, Bot> bots, BotAnswerer answerer) {
        this(bots, answerer, Optional.empty());
    }

    /** @param log where each exchange is recorded (channel {@code api}), so it shows under Conversations */
    public BotChat(Map<String, Bot> bots, BotAnswerer answerer, Optional<MessageLog> log) {
        this.bots = java.util.Collections.unmodifiableMap(bots);   // live: console bots come and go
        this.answerer = answerer;
        this.log = log;
    }

    // Recorded once answered, as finished: recovery at start never tries to deliver an API exchange.
    private void record(String botId, String conversation, JsonNode body, String question, Instant asked, Answer a) {
        log.ifPresent(l -> l.recordFinished("api", botId, conversation, body.path("user").asText("api"), question,
                asked, a.text(), a.policy().label(), Optional.empty()));
    }

    /** Bot names as listed in {@code /v1/models}. */
    public List<String> modelNames() {
        return bots.keySet().stream().sorted().map(id -> "bot/" + id).toList();
    }

    Bot bot(String id) {
        Bot bot = bots.get(id);
        if (bot == null) {
            throw new BadRequestException(404, "no bot '" + id + "'; the configured bots are " + bots.keySet());
        }
        return bot;
    }

    /** The question: the last user message. Earlier turns come from the bot's own conversation memory. */
    static String question(JsonNode body) {
        JsonNode messages = body.path("messages");
        if (messages.isArray()) {
            for (int i = messages.size() - 1; i >= 0; i--) {
                if (messages.get(i).path("role").asText().equals("user")) {
                    return messages.get(i).path("content").asText("");
                }
            }
        }
        String message = body.path("message").asText("");
        if (message.isEmpty()) {
            throw new BadRequestException("send the question as a user message in 'messages'");
        }
        return message;
    }

    /** The turns before the last user message, when the client sent any; else empty (use the server's memory). */
    static List<ConversationContext.Turn> history(JsonNode body) {
        JsonNode messages = body.path("messages");
        List<ConversationContext.Turn> turns = new ArrayList<>();
        if (!messages.isArray()) {
            return turns;
        }
        int last = -1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).path("role").asText().equals("user")) {
                last = i;
                break;
            }
        }
        for (int i = 0; i < last; i++) {
            String role = messages.get(i).path("role").asText();
            if (role.equals("user") || role.equals("assistant")) {
                turns.add(new ConversationContext.Turn(role, messages.get(i).path("content").asText("")));
            }
        }
        return turns;
    }

    /** The answer's text with its sources as numbered citations. */
    static String cited(Answer a) {
        if (a.sources().isEmpty()) {
            return a.text();
        }
        return a.text() + citations(a);
    }

    private static String citations(Answer a) {
        StringBuilder sb = new StringBuilder("\n\nSources:");
        int i = 1;
        for (String s : a.sources()) {
            sb.append("\n[").append(i++).append("] ").append(s);
        }
        return sb.toString();
    }

    private static OpenAiWire.Usage usage(String question, Answer a, String text) {
        int prompt = a.promptTokens() > 0 ? a.promptTokens() : ConversationContext.estimateTokens(question);
        int completion = a.completionTokens() > 0 ? a.completionTokens() : ConversationContext.estimateTokens(text);
        return new OpenAiWire.Usage(prompt, completion, prompt + completion);
    }

    static String conversation(JsonNode body, String botId) {
        String user = body.path("conversation_id").asText(body.path("user").asText(""));
        return "api:" + botId + ":" + (user.isEmpty() ? UUID.randomUUID() : user);
    }

    /** {@code POST /v1/chat/completions} with a bot as the model. */
    void chat(ServerRequest req, ServerResponse res, JsonNode body, String botId, boolean stream) throws IOException {
        Bot bot = bot(botId);
        String question = question(body);
        String conversation = conversation(body, botId);
        String model = "bot/" + botId;
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        Instant asked = Instant.now();
        long created = asked.getEpochSecond();
        Integer maxTokens = JsonFields.integer(body, "max_completion_tokens", 1, 1_000_000);
        if (maxTokens == null) {
            maxTokens = JsonFields.integer(body, "max_tokens", 1, 1_000_000);
        }
        BotAnswerer.ClientChat client = new BotAnswerer.ClientChat(history(body), maxTokens == null ? 0 : maxTokens);
        if (!stream) {
            Answer a = answerer.answer(bot, conversation, conversation, question, soFar -> { }, client);
            record(botId, conversation, body, question, asked, a);
            String text = cited(a);
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.bytes(new OpenAiWire.Completion(id, "chat.completion", created, model,
                    List.of(new OpenAiWire.Choice(0, new OpenAiWire.Message("assistant", text), "stop")),
                    usage(question, a, text), sources(a))));
            return;
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        try (NdjsonResponse out = new NdjsonResponse(res, "text/event-stream")) {
            int[] sent = {0};
            Answer a = answerer.answer(bot, conversation, conversation, question, soFar -> {
                try {
                    out.event(chunk(id, created, model, soFar.substring(Math.min(sent[0], soFar.length())),
                            sent[0] == 0));
                    sent[0] = soFar.length();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, client);
            record(botId, conversation, body, question, asked, a);
            String full = a.text();
            // Canned, direct and knowledge answers arrive whole; a model answer was streamed as it was written
            // (its final text is the stream's, stripped). A model that failed midway falls back to a passage.
            if (sent[0] == 0) {
                out.event(chunk(id, created, model, full, true));
            } else if (a.policy() != Answer.Policy.MODEL) {
                out.event(chunk(id, created, model, "\n\n" + full, false));
            }
            if (!a.sources().isEmpty()) {
                out.event(chunk(id, created, model, citations(a), false));
            }
            out.event(new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model,
                    List.of(new OpenAiWire.ChunkChoice(0, new OpenAiWire.Delta(null, null), "stop")), null,
                    sources(a)));
            if (includeUsage) {
                out.event(new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model, List.of(),
                        usage(question, a, cited(a)), null));
            }
            out.raw("data: [DONE]\n\n".getBytes());
        } catch (UncheckedIOException e) {
            // the client went away; the answerer has cancelled the generation
        }
    }

    private static OpenAiWire.Chunk chunk(String id, long created, String model, String text, boolean first) {
        return new OpenAiWire.Chunk(id, "chat.completion.chunk", created, model,
                List.of(new OpenAiWire.ChunkChoice(0, new OpenAiWire.Delta(first ? "assistant" : null, text), null)),
                null, null);
    }

    static List<OpenAiWire.Source> sources(Answer a) {
        return a.sources().stream().map(t -> new OpenAiWire.Source(t, "", 0)).toList();
    }
}
