package dev.botgate.gateway.pipeline;

import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.EngineUnavailableException;
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
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Decides and writes a bot's answer to one question; every channel (platforms, the OpenAI-compatible bot API, the
 * local chat) goes through here, so a bot answers the same everywhere.
 *
 * <p>In order: the {@link AnswerHooks} (a conversation a person holds is answered by no one else; asking for a
 * person hands it over); reset commands; the per-user rate limit; sensitive words in the question; the reply to an
 * open clarifying menu (a pick gets that entry's answer); retrieval, with a short or referring follow-up searched
 * together with the conversation's topic ({@link FollowUpQuestion}); the decision ({@link AnswerDecision}, set by the
 * bot's {@link AnswerMode}): too-close best entries get a numbered menu ({@link ClarifyingMenu}); a direct Q&amp;A
 * hit answered verbatim; nothing above the threshold gives the fallback, except while one of the bot's knowledge
 * bases is still being imported (the question then waits a moment for the import, and is told so if it goes on);
 * otherwise the model answers from the passages (or, without a model, the best passage is returned with its source).
 * A model answer that contains a sensitive word is replaced by the refusal. The hooks see the decision last (repeated
 * fallbacks hand the conversation over; fallbacks go to the review queue).
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
    private final AnswerHooks hooks;

    public BotAnswerer(Engine engine, Retriever retriever, ConversationContext context, Metrics metrics) {
        this(engine, retriever, context, metrics, DEFAULT_IMPORT_WAIT);
    }

    public BotAnswerer(Engine engine, Retriever retriever, ConversationContext context, Metrics metrics,
                       Duration importWait) {
        this(engine, retriever, context, metrics, importWait, AnswerHooks.NONE);
    }

    /**
     * @param importWait how long a question that finds nothing waits for its bot's knowledge bases to finish
     *                   importing before the bot says they are still importing
     * @param hooks      handoff and review around each answer
     */
    public BotAnswerer(Engine engine, Retriever retriever, ConversationContext context, Metrics metrics,
                       Duration importWait, AnswerHooks hooks) {
        this.hooks = hooks;
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
        // First: while a person holds the conversation even a reset command is theirs to answer.
        Optional<Answer> replaced = hooks.before(bot, conversation, user, q);
        if (replaced.isPresent()) {
            Answer a = hooks.after(bot, conversation, user, q, replaced.get());
            metrics.inc("botgate_answers_total", "bot=\"" + c.id() + "\",policy=\"" + a.policy().label() + "\"", 1);
            return a;
        }
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
        ConversationContext.State state = context.state(conversation);
        if (!state.menu().isEmpty()) {
            Optional<Passage> picked = ClarifyingMenu.pick(state.menu(), q);
            context.state(conversation, new ConversationContext.State(state.topic(), List.of()));
            if (picked.isPresent()) {
                return picked(bot, conversation, q, picked.get());
            }
        }
        AnswerDecision decision = decide(c, conversation, state.topic(), q);
        if (decision instanceof AnswerDecision.Fallback && !c.knowledge().isEmpty()
                && !retriever.importing(c.knowledge()).isEmpty()) {
            // A base being imported is not an empty base: finding nothing there yet is no reason for the fallback.
            if (!awaitImports(c)) {
                return canned(bot, IMPORTING);
            }
            decision = decide(c, conversation, state.topic(), q);
        }
        if (decision instanceof AnswerDecision.Clarify clarify) {
            context.state(conversation, new ConversationContext.State(state.topic(), clarify.options()));
            Answer menu = new Answer(ClarifyingMenu.text(clarify.options()), List.of(), Answer.Policy.CLARIFY);
            context.append(conversation, q, menu.text());
            metrics.inc("botgate_answers_total", "bot=\"" + c.id() + "\",policy=\"clarify\"", 1);
            return menu;
        }
        List<Passage> relevant = decision instanceof AnswerDecision.Answer a ? a.relevant() : List.of();
        if (!relevant.isEmpty()) {
            String topic = relevant.getFirst().question().isEmpty() ? q : relevant.getFirst().question();
            context.state(conversation, new ConversationContext.State(topic, List.of()));
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
        answer = hooks.after(bot, conversation, user, q, answer);
        if (answer.policy() != Answer.Policy.CANNED && client.history().isEmpty()) {
            context.append(conversation, q, answer.text());
        }
        metrics.inc("botgate_answers_total", "bot=\"" + c.id() + "\",policy=\"" + answer.policy().label() + "\"", 1);
        return answer;
    }

    /**
     * Retrieves and decides: answer from the passages at or above the bot's threshold, ask which entry was meant
     * when the best ones are too close (the bot's answer mode sets both), or fall back.
     */
    private AnswerDecision decide(BotConfig c, String conversation, String topic, String q) {
        long t0 = System.nanoTime();
        boolean followUp = !topic.isEmpty() && FollowUpQuestion.isFollowUp(q);
        List<Passage> passages;
        List<Passage> alone = followUp ? candidates(c, q) : List.of();
        if (!alone.isEmpty() && alone.getFirst().direct()) {
            // A short question worded like one of an entry's phrasings (e.g. one just added in the console) asks
            // for that entry, even the topic's own: it is no follow-up, and must not be searched beside the topic.
            followUp = false;
            passages = alone;
        } else {
            passages = beside(followUp, topic, candidates(c, FollowUpQuestion.query(topic, q)));
        }
        if (followUp && c.model().isPresent()) {
            // The model's standalone rewrite is searched too; the search whose best hit scores higher wins (the
            // scores share one scale), so a poor rewrite costs a search and nothing else.
            Optional<String> rewritten = StandaloneQuestion.rewrite(engine, c.model().get(),
                    context.history(conversation), q);
            if (rewritten.isPresent()) {
                List<Passage> other = beside(true, topic, candidates(c, rewritten.get()));
                if (!other.isEmpty() && (passages.isEmpty() || other.getFirst().score() > passages.getFirst().score())) {
                    passages = other;
                }
            }
        }
        metrics.observe("botgate_retrieve_seconds", "bot=\"" + c.id() + "\"", (System.nanoTime() - t0) / 1e9);
        AnswerDecision d = AnswerDecision.decide(passages, c.threshold(), c.answerMode().margin());
        if (d instanceof AnswerDecision.Answer a && a.relevant().size() > c.topK()) {
            return new AnswerDecision.Answer(a.relevant().subList(0, c.topK()));
        }
        return d;
    }

    /** A follow-up asks for something beside the entry just answered (whose words the topic brings back in). */
    private static List<Passage> beside(boolean followUp, String topic, List<Passage> passages) {
        return followUp ? passages.stream().filter(p -> !p.question().equals(topic)).toList() : passages;
    }

    private List<Passage> candidates(BotConfig c, String query) {
        return c.knowledge().isEmpty() ? List.of()
                : retriever.retrieve(c.knowledge(), query, Math.max(c.topK(), AnswerDecision.MENU_SIZE) + 1);
    }

    /** The entry the user picked from a clarifying menu: its answer, and it becomes the conversation's topic. */
    private Answer picked(Bot bot, String conversation, String reply, Passage p) {
        context.state(conversation, new ConversationContext.State(p.question(), List.of()));
        Answer answer = new Answer(p.text(), List.of(p.title()), Answer.Policy.DIRECT);
        context.append(conversation, reply, answer.text());
        metrics.inc("botgate_answers_total", "bot=\"" + bot.id() + "\",policy=\"direct\"", 1);
        return answer;
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
        } catch (QueueFullException | EngineUnavailableException e) {
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
