package dev.botgate.gateway.pipeline;

import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.Generation;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.QueueFullException;
import dev.botgate.gateway.Metrics;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decides and writes a bot's answer to one question; every channel (platforms, the OpenAI-compatible bot API, the
 * local chat) goes through here, so a bot answers the same everywhere.
 *
 * <p>In order: reset commands; the per-user rate limit; sensitive words in the question; retrieval; a direct Q&amp;A
 * hit answered verbatim; nothing above the threshold gives the fallback, except while one of the bot's knowledge
 * bases is still being imported (the question then waits a moment for the import, and is told so if it goes on);
 * otherwise the model answers from the passages (or, without a model, the best passage is returned with its source).
 * A model answer that contains a sensitive word is replaced by the refusal.
 */
public final class BotAnswerer {
    private static final System.Logger LOG = System.getLogger(BotAnswerer.class.getName());
    private static final Set<String> RESET = Set.of("/reset", "重置", "/重置", "reset");
    private static final long MODEL_TIMEOUT_SECONDS = 300;
    /** Long enough for the demo base's first import; short enough for a platform's passive-reply window. */
    public static final Duration DEFAULT_IMPORT_WAIT = Duration.ofSeconds(4);
    /** The reply while a bot's knowledge base is still being imported (never the fallback: nothing is known yet). */
    public static final String IMPORTING = "知识库正在导入，请稍后再问。The knowledge base is still being imported; "
            + "please ask again in a moment.";
    private final Engine engine;
    private final Retriever retriever;
    private final ConversationContext context;
    private final Metrics metrics;
    private final Duration importWait;

    public BotAnswerer(Engine engine, Retriever retriever, ConversationContext context, Metrics metrics) {
        this(engine, retriever, context, metrics, DEFAULT_IMPORT_WAIT);
    }

    /**
     * @param importWait how long a question that finds nothing waits for its bot's knowledge bases to finish
     *                   importing before the bot says they are still importing
     */
    public BotAnswerer(Engine engine, Retriever retriever, ConversationContext context, Metrics metrics,
                       Duration importWait) {
        this.engine = engine;
        this.retriever = retriever;
        this.context = context;
        this.metrics = metrics;
        this.importWait = importWait;
    }

    /**
     * Answers a question.
     *
     * @param conversation the conversation key (history is kept per key)
     * @param user         the sender, for the rate limit
     * @param progress     receives the answer so far while the model writes it (for streaming platforms)
     */
    public Answer answer(Bot bot, String conversation, String user, String question, Consumer<String> progress) {
        return answer(bot, conversation, user, question, progress, ClientChat.NONE);
    }

    /**
     * What an API client brings to a bot's answer (OpenAI's convention: the client keeps the conversation).
     *
     * @param history   the earlier turns the client sent; empty to use the server's memory of the conversation
     * @param maxTokens the client's token limit for a model answer, or 0 for the engine's default
     */
    public record ClientChat(List<ConversationContext.Turn> history, int maxTokens) {
        /** Nothing from the client: the server's memory and limits. */
        public static final ClientChat NONE = new ClientChat(List.of(), 0);

        public ClientChat {
            history = List.copyOf(history);
        }
    }

    /**
     * Answers a question from an API client: with the turns it sent as the history (the server's memory is then
     * neither read nor written) and its token limit.
     */
    public Answer answer(Bot bot, String conversation, String user, String question, Consumer<String> progress,
                         ClientChat client) {
        BotConfig c = bot.config();
        String q = question.strip();
        if (RESET.contains(q.toLowerCase(Locale.ROOT))) {
            context.reset(conversation);
            return canned(bot, "对话已重置。Conversation reset.");
        }
        if (q.isEmpty()) {
            return canned(bot, c.welcome());
        }
        if (!bot.rateLimiter().tryAcquire(user)) {
            return canned(bot, "您发送得太快了，请稍后再试。You are sending messages too fast; please wait a moment.");
        }
        if (bot.sensitiveWords().firstMatch(q).isPresent()) {
            metrics.inc("botgate_guardrail_refusals_total", "bot=\"" + c.id() + "\",side=\"question\"", 1);
            return canned(bot, c.refusal());
        }
        List<Passage> relevant = retrieve(c, q);
        if (relevant.isEmpty() && !c.knowledge().isEmpty() && !retriever.importing(c.knowledge()).isEmpty()) {
            // A base being imported is not an empty base: finding nothing there yet is no reason for the fallback.
            if (!awaitImports(c)) {
                return canned(bot, IMPORTING);
            }
            relevant = retrieve(c, q);
        }
        Answer answer;
        if (!relevant.isEmpty() && relevant.getFirst().direct()) {
            Passage p = relevant.getFirst();
            answer = new Answer(p.text(), List.of(p.title()), Answer.Policy.DIRECT);
        } else if (relevant.isEmpty() && !(c.knowledge().isEmpty() && c.model().isPresent())) {
            answer = new Answer(c.fallback(), List.of(), Answer.Policy.FALLBACK);
        } else if (c.model().isPresent()) {
            answer = modelAnswer(bot, conversation, q, relevant, progress, client);
        } else {
            Passage p = relevant.getFirst();
            answer = new Answer(p.text(), List.of(p.title()), Answer.Policy.KNOWLEDGE);
        }
        if (answer.policy() == Answer.Policy.MODEL && bot.sensitiveWords().firstMatch(answer.text()).isPresent()) {
            metrics.inc("botgate_guardrail_refusals_total", "bot=\"" + c.id() + "\",side=\"answer\"", 1);
            return canned(bot, c.refusal());
        }
        if (answer.policy() != Answer.Policy.CANNED && client.history().isEmpty()) {
            context.append(conversation, q, answer.text());
        }
        metrics.inc("botgate_answers_total", "bot=\"" + c.id() + "\",policy=\"" + answer.policy().label() + "\"", 1);
        return answer;
    }

    /** The passages at or above the bot's threshold, best first. */
    private List<Passage> retrieve(BotConfig c, String q) {
        long t0 = System.nanoTime();
        List<Passage> passages = c.knowledge().isEmpty() ? List.of() : retriever.retrieve(c.knowledge(), q, c.topK());
        metrics.observe("botgate_retrieve_seconds", "bot=\"" + c.id() + "\"", (System.nanoTime() - t0) / 1e9);
        return passages.stream().filter(p -> p.score() >= c.threshold()).toList();
    }

    /** Waits up to the import wait for the bot's bases to finish importing; false when they are still importing. */
    private boolean awaitImports(BotConfig c) {
        long end = System.nanoTime() + importWait.toNanos();
        while (!retriever.importing(c.knowledge()).isEmpty()) {
            if (System.nanoTime() >= end) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private Answer canned(Bot bot, String text) {
        metrics.inc("botgate_answers_total", "bot=\"" + bot.id() + "\",policy=\"canned\"", 1);
        return new Answer(text, List.of(), Answer.Policy.CANNED);
    }

    private Answer modelAnswer(Bot bot, String conversation, String question, List<Passage> passages,
                               Consumer<String> progress, ClientChat client) {
        BotConfig c = bot.config();
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(new ChatMessage("system", systemPrompt(c, passages)));
        List<ConversationContext.Turn> history = client.history().isEmpty() ? context.history(conversation)
                : client.history();
        for (ConversationContext.Turn t : history) {
            messages.add(new ChatMessage(t.role(), t.content()));
        }
        messages.add(new ChatMessage("user", question));
        BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
        long t0 = System.nanoTime();
        Generation generation;
        try {
            GenerationOptions options = client.maxTokens() > 0 ? new GenerationOptions(null, null, null, null, null,
                    null, client.maxTokens(), null, null, null) : GenerationOptions.NONE;
            generation = engine.submit(new GenerationRequest(c.model().orElseThrow(), new GenerationRequest.Chat(messages),
                    options), events::add);
        } catch (QueueFullException e) {
            return canned(bot, c.busy());
        }
        StringBuilder text = new StringBuilder();
        boolean finished = false;
        try {
            while (true) {
                GenerationEvent ev = events.poll(MODEL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (ev == null) {
                    throw new EngineException("the model did not finish within " + MODEL_TIMEOUT_SECONDS + " s");
                }
                switch (ev) {
                    case GenerationEvent.Token tok -> {
                        text.append(tok.text());
                        progress.accept(text.toString());
                    }
                    case GenerationEvent.Done d -> {
                        finished = true;
                        metrics.observe("botgate_generate_seconds", "bot=\"" + c.id() + "\"",
                                (System.nanoTime() - t0) / 1e9);
                        String out = text.toString().strip();
                        if (out.isEmpty()) {
                            return new Answer(c.fallback(), List.of(), Answer.Policy.FALLBACK);
                        }
                        return new Answer(out, titles(passages), Answer.Policy.MODEL, d.stats().promptTokens(),
                                d.stats().completionTokens());
                    }
                    case GenerationEvent.Failed f -> {
                        finished = true;
                        throw new EngineException(f.message());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException("interrupted while waiting for the model");
        } catch (EngineException e) {
            LOG.log(Level.WARNING, "bot " + c.id() + ": model failed, answering from knowledge: " + e.getMessage());
            if (passages.isEmpty()) {
                return new Answer(c.fallback(), List.of(), Answer.Policy.FALLBACK);
            }
            return new Answer(passages.getFirst().text(), List.of(passages.getFirst().title()),
                    Answer.Policy.KNOWLEDGE);
        } finally {
            if (!finished) {
                // the listener (a client that went away) or a timeout ended this early: free the slot
                generation.cancel();
            }
        }
    }

    /** The system prompt: the bot's instructions, then the numbered passages it must answer from. */
    static String systemPrompt(BotConfig c, List<Passage> passages) {
        StringBuilder sb = new StringBuilder(c.systemPrompt().strip());
        if (!passages.isEmpty()) {
            sb.append("\n\nAnswer from the reference passages below. If they do not contain the answer, say that you "
                    + "do not know. Answer in the language of the question.\n");
            int i = 1;
            for (Passage p : passages) {
                sb.append("\n[").append(i++).append("] ").append(p.title());
                if (!p.location().isEmpty()) {
                    sb.append(" (").append(p.location()).append(')');
                }
                sb.append('\n').append(p.text().strip()).append('\n');
            }
        }
        return sb.toString();
    }

    private static List<String> titles(List<Passage> passages) {
        Set<String> t = new LinkedHashSet<>();
        passages.forEach(p -> t.add(p.title()));
        return List.copyOf(t);
    }
}
