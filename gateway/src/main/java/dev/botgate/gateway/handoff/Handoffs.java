package dev.botgate.gateway.handoff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.gateway.Metrics;
import dev.botgate.gateway.pipeline.Answer;
import dev.botgate.gateway.pipeline.AnswerHooks;
import dev.botgate.gateway.pipeline.Bot;
import dev.botgate.gateway.pipeline.MessageLog;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The handoff state machine. A platform conversation is answered by the bot until the user asks for a person (a
 * keyword), the bot falls back {@code after-fallbacks} times in a row, or an operator takes it over; it is then
 * handed off (durably), the on-call targets are told, and the bot stays silent while the agent answers through the
 * conversation's own channel. The bot answers again when the agent releases it or after {@code resume-after} without
 * an agent message, and says so. A bot with no notify target never promises a person.
 *
 * <p>Conversations of the API and the console chat ({@code api:} keys) have no channel an agent could answer
 * through and are never handed off.
 */
public final class Handoffs implements AnswerHooks, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Handoffs.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The policy recorded for messages an agent sent; {@code handoff-resumed} for the bot's return. */
    public static final String AGENT_POLICY = "agent";
    private static final int LAST_TURNS = 6;
    private final HandoffStore store;
    private final Map<String, HandoffSettings> settings;
    private final Map<String, Bot> bots;
    private final Map<String, ChannelAdapter> adapters;
    private final MessageLog log;
    private final OnCallNotifier notifier;
    private final Clock clock;
    private final Metrics metrics;
    /** Open handoffs by {@code BOT:KEY}, loaded from the store at start and written through. */
    private final Map<String, Handoff> open = new ConcurrentHashMap<>();
    private final Cache<String, Integer> fallbacksInRow = Caffeine.newBuilder().expireAfterAccess(Duration.ofDays(1))
            .maximumSize(200_000).build();
    private final List<Consumer<Handoff>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final ScheduledExecutorService resumer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("handoff-resume").daemon(true).factory());
    private volatile Supplier<String> consoleBase = () -> "";

    /**
     * @param store    the durable handoffs; closed with this object
     * @param settings each bot's handoff block, by bot id (bots not listed get {@link HandoffSettings#defaults()})
     * @param adapters platform adapters by bot id
     * @param notifier tells the on-call targets; closed with this object
     */
    public Handoffs(HandoffStore store, Map<String, HandoffSettings> settings, Map<String, Bot> bots,
                    Map<String, ChannelAdapter> adapters, MessageLog log, OnCallNotifier notifier, Clock clock,
                    Metrics metrics) {
        this.store = store;
        this.settings = Map.copyOf(settings);
        this.bots = Map.copyOf(bots);
        this.adapters = Map.copyOf(adapters);
        this.log = log;
        this.notifier = notifier;
        this.clock = clock;
        this.metrics = metrics;
        store.open().forEach(h -> open.put(h.conversationId(), h));
        metrics.describe("botgate_handoffs_total", "conversations handed to a person, by bot and reason");
        metrics.gauge("botgate_handoffs_open", "", open::size);
        long checkMillis = this.settings.values().stream().mapToLong(s -> s.resumeAfter().toMillis() / 4)
                .min().orElse(30_000);
        checkMillis = Math.clamp(checkMillis, 100, 30_000);
        resumer.scheduleWithFixedDelay(this::resumeIdle, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
    }

    /** Where the notifications' links point: {@code server.public-url}, or the local URL once the port is known. */
    public void consoleBase(Supplier<String> base) {
        this.consoleBase = base;
    }

    /** Called with every handoff opened (the review queue keeps its question). */
    public void onOpened(Consumer<Handoff> listener) {
        listeners.add(listener);
    }

    /** A bot's handoff settings. */
    public HandoffSettings settings(String bot) {
        return settings.getOrDefault(bot, HandoffSettings.defaults());
    }

    private boolean applies(Bot bot, String conversation) {
        return adapters.containsKey(bot.id()) && !conversation.startsWith("api:");
    }

    @Override
    public Optional<Answer> before(Bot bot, String conversation, String user, String question) {
        if (!applies(bot, conversation)) {
            return Optional.empty();
        }
        String id = ConversationRef.of(bot.id(), conversation).id();
        Handoff h = open.get(id);
        if (h != null) {
            if (!expired(h)) {
                return Optional.of(new Answer("", List.of(), Answer.Policy.SILENT));
            }
            resume(h, "timeout"); // the agent went quiet: this message is the bot's again
        }
        HandoffSettings s = settings(bot.id());
        if (s.asksForPerson(question)) {
            if (!s.reachable()) {
                // A fixed reply, not a gap in the knowledge: it neither counts as a fallback nor goes to review.
                return Optional.of(new Answer(s.unavailable(), List.of(), Answer.Policy.CANNED));
            }
            open(bot, conversation, user, question, "keyword", true);
            return Optional.of(new Answer(s.text(), List.of(), Answer.Policy.HANDOFF));
        }
        return Optional.empty();
    }

    @Override
    public Answer after(Bot bot, String conversation, String user, String question, Answer answer) {
        if (!applies(bot, conversation)) {
            return answer;
        }
        String id = ConversationRef.of(bot.id(), conversation).id();
        switch (answer.policy()) {
            case FALLBACK -> {
                int n = fallbacksInRow.asMap().merge(id, 1, Integer::sum);
                HandoffSettings s = settings(bot.id());
                if (s.reachable() && s.afterFallbacks() > 0 && n >= s.afterFallbacks() && !open.containsKey(id)) {
                    fallbacksInRow.invalidate(id);
                    open(bot, conversation, user, question, "fallbacks", true);
                    return new Answer(s.text(), List.of(), Answer.Policy.HANDOFF);
                }
            }
            case DIRECT, MODEL, KNOWLEDGE -> fallbacksInRow.invalidate(id);
            default -> {
                // canned replies (reset, rate limit) neither count nor break a run of fallbacks
            }
        }
        return answer;
    }

    private boolean expired(Handoff h) {
        Duration after = settings(h.bot()).resumeAfter();
        return !clock.instant().isBefore(h.lastActivity().plus(after));
    }

    private synchronized Handoff open(Bot bot, String conversation, String user, String question, String reason,
                                      boolean notify) {
        String id = ConversationRef.of(bot.id(), conversation).id();
        Handoff existing = open.get(id);
        if (existing != null) {
            return existing;
        }
        Handoff h = store.open(bot.id(), conversation, bot.config().channel(), user, question, reason,
                clock.instant());
        open.put(id, h);
        metrics.inc("botgate_handoffs_total", "bot=\"" + bot.id() + "\",reason=\"" + reason + "\"", 1);
        LOG.log(Level.INFO, "conversation " + id + " handed to a person (" + reason + ")");
        if (notify) {
            notifier.notify(settings(bot.id()).targets(), notification(h));
        }
        for (Consumer<Handoff> l : listeners) {
            try {
                l.accept(h);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handoff listener failed: " + e.getMessage());
            }
        }
        return h;
    }

    /** The on-call message: who, what, the last turns, and where to answer. */
    String notification(Handoff h) {
        StringBuilder sb = new StringBuilder();
        sb.append("【转人工 Handoff】").append(h.bot()).append(" (").append(h.channel()).append(")\n");
        sb.append("用户 User: ").append(h.user()).append('\n');
        sb.append("问题 Question: ").append(h.question()).append('\n');
        sb.append("原因 Reason: ").append(switch (h.reason()) {
            case "keyword" -> "用户要求人工 the user asked for a person";
            case "fallbacks" -> "机器人连续无法回答 the bot could not answer repeatedly";
            default -> "运营接管 an operator took over";
        }).append('\n');
        List<MessageLog.Entry> turns = turns(h.bot(), h.conversation(), LAST_TURNS);
        if (!turns.isEmpty()) {
            sb.append("最近对话 Last turns:\n");
            for (MessageLog.Entry e : turns) {
                if (!e.text().isEmpty()) {
                    sb.append("  用户: ").append(e.text()).append('\n');
                }
                if (!e.answer().isEmpty()) {
                    sb.append("  ").append(AGENT_POLICY.equals(e.policy()) ? "客服" : "机器人").append(": ")
                            .append(e.answer()).append('\n');
                }
            }
        }
        sb.append("回复 Reply: ").append(link(h.conversationId()));
        return sb.toString();
    }

    /** The console's page for a conversation. */
    public String link(String conversationId) {
        String base = consoleBase.get();
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/#/conversations/"
                + URLEncoder.encode(conversationId, StandardCharsets.UTF_8);
    }

    /** A conversation's last {@code n} recorded messages, oldest first. */
    private List<MessageLog.Entry> turns(String bot, String conversation, int n) {
        List<MessageLog.Entry> out = new ArrayList<>(log.recent(Optional.of(conversation), 200).stream()
                .filter(e -> e.bot().equals(bot)).limit(n).toList());
        Collections.reverse(out);
        return out;
    }

    /** Open handoffs, oldest first. */
    public List<Handoff> open() {
        return open.values().stream().sorted(java.util.Comparator.comparing(Handoff::openedAt)
                .thenComparingLong(Handoff::id)).toList();
    }

    /** The open handoff of a conversation, if any. */
    public Optional<Handoff> openFor(ConversationRef ref) {
        return Optional.ofNullable(open.get(ref.id()));
    }

    /** An operator takes a conversation over from the bot (no notification: they are already there). */
    public Handoff takeover(ConversationRef ref) {
        Bot bot = platformBot(ref);
        MessageLog.Entry last = latestFromUser(ref);
        return open(bot, ref.key(), last.sender(), last.text(), "operator", false);
    }

    /** The agent hands the conversation back to the bot, which tells the user. */
    public Handoff release(ConversationRef ref) {
        platformBot(ref);
        Handoff h = openFor(ref).orElseThrow(() -> new HandoffException(409, "conversation " + ref.id()
                + " is not handed off; nothing to release"));
        return resume(h, "agent");
    }

    /**
     * Sends an agent's reply through the conversation's channel; a conversation the bot still holds is taken over
     * first. On a platform that cannot push (an unverified Official Account) the reply waits for the user's next
     * message.
     */
    public AgentReply reply(ConversationRef ref, String text) {
        if (text.isBlank()) {
            throw new HandoffException(400, "'text' must not be empty");
        }
        Handoff h = openFor(ref).orElseGet(() -> takeover(ref));
        Delivery d = deliver(ref, text.strip(), AGENT_POLICY);
        store.agentReplied(h.id(), clock.instant());
        Handoff touched = store.get(h.id()).orElse(h);
        open.computeIfPresent(ref.id(), (k, v) -> touched);
        return new AgentReply(d.messageId(), d.delivered(), d.delivered() ? ""
                : "this channel cannot push messages (an unverified Official Account): the reply is held and goes "
                + "out with the user's next message", touched);
    }

    /**
     * What became of an agent's reply.
     *
     * @param messageId the reply's id in the message record
     * @param delivered true when the platform took it; false when it waits for the user's next message
     * @param note      why it waits, empty when delivered
     * @param handoff   the handoff it belongs to
     */
    public record AgentReply(long messageId, boolean delivered, String note, Handoff handoff) {
    }

    private record Delivery(long messageId, boolean delivered) {
    }

    private Handoff resume(Handoff h, String by) {
        synchronized (this) {
            if (!store.close(h.id(), by, clock.instant())) {
                open.remove(h.conversationId());
                return store.get(h.id()).orElse(h);
            }
            open.remove(h.conversationId());
        }
        fallbacksInRow.invalidate(h.conversationId());
        LOG.log(Level.INFO, "conversation " + h.conversationId() + " back with the bot (" + by + ")");
        try {
            deliver(ConversationRef.of(h.bot(), h.conversation()), settings(h.bot()).resumed(), "handoff-resumed");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "telling " + h.conversationId() + " that the bot is back failed: "
                    + e.getMessage());
        }
        return store.get(h.id()).orElse(h);
    }

    /** Hands back every handoff whose agent has been silent for the bot's {@code resume-after}. */
    void resumeIdle() {
        try {
            for (Handoff h : open()) {
                if (expired(h)) {
                    resume(h, "timeout");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "resuming idle handoffs failed: " + e.getMessage());
        }
    }

    private Bot platformBot(ConversationRef ref) {
        Bot bot = bots.get(ref.bot());
        if (bot == null) {
            throw new HandoffException(404, "no bot '" + ref.bot() + "'; the configured bots are " + bots.keySet());
        }
        if (!adapters.containsKey(ref.bot())) {
            throw new HandoffException(400, "bot '" + ref.bot() + "' has no platform channel to answer through");
        }
        return bot;
    }

    private MessageLog.Entry latestFromUser(ConversationRef ref) {
        return log.recent(Optional.of(ref.key()), 200).stream()
                .filter(e -> e.bot().equals(ref.bot()) && !AGENT_POLICY.equals(e.policy())
                        && !e.sender().equals(AGENT_POLICY))
                .findFirst()
                .orElseThrow(() -> new HandoffException(404, "no messages in conversation " + ref.id()
                        + "; see /admin/conversations for the recorded ones"));
    }

    /** Sends text to the conversation through its adapter (or holds it) and records it. */
    private Delivery deliver(ConversationRef ref, String text, String policy) {
        platformBot(ref);
        ChannelAdapter adapter = adapters.get(ref.bot());
        MessageLog.Entry last = latestFromUser(ref);
        ReplyTo replyTo;
        try {
            replyTo = JSON.readValue(last.replyContext(), ReplyTo.class);
        } catch (JsonProcessingException e) {
            throw new HandoffException(409, "the conversation's reply address cannot be read: "
                    + e.getOriginalMessage());
        }
        InboundMessage to = new InboundMessage(adapter.channel(), ref.bot(), ref.key(), last.sender(), "",
                last.platformId(), MessageKind.TEXT, replyTo, false);
        String platformId = policy + "-" + UUID.randomUUID();
        OutboundText out = OutboundText.of(text);
        if (!adapter.canSend()) {
            List<String> parts = adapter.passiveParts(out);
            String shown = parts.isEmpty() ? text : String.join("\n", parts);
            long id = log.record(adapter.channel().id(), ref.bot(), platformId, ref.key(), AGENT_POLICY, "",
                    last.replyContext(), MessageLog.State.HELD).orElseThrow();
            log.answered(id, MessageLog.State.HELD, shown, policy);
            return new Delivery(id, false);
        }
        // Sent first, recorded after: a record left RECEIVED by a crash would be answered as a user message.
        SendException failed = null;
        try {
            adapter.send(to, out);
        } catch (SendException e) {
            failed = e;
        }
        long id = log.record(adapter.channel().id(), ref.bot(), platformId, ref.key(), AGENT_POLICY, "",
                last.replyContext(), failed == null ? MessageLog.State.ANSWERED : MessageLog.State.FAILED)
                .orElseThrow();
        if (failed != null) {
            log.attemptFailed(id, failed.getMessage(), true);
            throw new HandoffException(502, "the platform did not take the message: " + failed.getMessage());
        }
        log.answered(id, MessageLog.State.ANSWERED, text, policy);
        return new Delivery(id, true);
    }

    /** Stops the resume timer and closes the store and the notifier, which this object owns. */
    @Override
    public void close() {
        resumer.shutdownNow();
        notifier.close();
        store.close();
    }
}
