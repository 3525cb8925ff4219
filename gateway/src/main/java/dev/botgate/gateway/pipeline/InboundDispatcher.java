package dev.botgate.gateway.pipeline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.MessageKind;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.ReplyStream;
import dev.botgate.adapters.ReplyTo;
import dev.botgate.adapters.SendException;
import dev.botgate.gateway.Metrics;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Takes decoded platform messages from the hooks and sees each one answered exactly once: drops retries (Caffeine in
 * front, the durable record's unique key behind it, so a retry after a restart is still recognised), records the
 * message before it is acknowledged, answers in order per conversation, sends through the adapter and retries failed
 * sends from the record with backoff. On start, {@link #recover} answers what a crash left unanswered.
 *
 * <p>Backlog: at most {@code answersInMemory} answers wait in memory. When messages come faster than answers for
 * longer than that, the next ones wait in the record instead ({@link MessageLog.State#QUEUED}), and are taken back
 * in arrival order as answers finish, so memory stays bounded however long the overload lasts. While anything is in
 * the record's backlog, every new message joins it behind the others, which keeps each conversation in order.
 */
public final class InboundDispatcher implements AutoCloseable {
    /** Default of {@code conversation.answers-in-memory}. */
    public static final int DEFAULT_ANSWERS_IN_MEMORY = 1000;
    private static final System.Logger LOG = System.getLogger(InboundDispatcher.class.getName());
    private static final Duration DEDUPE_WINDOW = Duration.ofHours(8);
    private static final int MAX_SEND_ATTEMPTS = 6;
    private static final ObjectMapper REPLY_JSON = new ObjectMapper();

    private final Map<String, Bot> bots;
    private final Map<String, ChannelAdapter> adapters;
    private final BotAnswerer answerer;
    private final MessageLog log;
    private final ConversationWorkers workers;
    private final Metrics metrics;
    private final Cache<String, Boolean> recent = Caffeine.newBuilder().expireAfterWrite(DEDUPE_WINDOW)
            .maximumSize(1_000_000).build();
    private final PassiveReplies passive;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("send-retry").daemon(true).factory());
    private final int answersInMemory;
    /** Ids of messages handed to the workers and not finished. */
    private final Set<Long> inMemory = ConcurrentHashMap.newKeySet();
    private final Object backlogLock = new Object();
    /** New messages go to the record's backlog; written under {@link #backlogLock}. */
    private volatile boolean backlogged;
    /** Messages being recorded into the backlog right now; guarded by {@link #backlogLock}. */
    private int spilling;
    /** Messages being recorded and handed straight to the workers right now; guarded by {@link #backlogLock}. */
    private int handing;
    /** The last backlog id handed to the workers; only the pump thread reads and writes it. */
    private long backlogCursor;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();

    /**
     * @param bots     by id
     * @param adapters by bot id
     */
    public InboundDispatcher(Map<String, Bot> bots, Map<String, ChannelAdapter> adapters, BotAnswerer answerer,
                             MessageLog log, ConversationWorkers workers, Metrics metrics) {
        this(bots, adapters, answerer, log, workers, metrics, DEFAULT_ANSWERS_IN_MEMORY);
    }

    /** @param answersInMemory answers that may wait in memory before new messages wait in the record, at least 1 */
    public InboundDispatcher(Map<String, Bot> bots, Map<String, ChannelAdapter> adapters, BotAnswerer answerer,
                             MessageLog log, ConversationWorkers workers, Metrics metrics, int answersInMemory) {
        this(bots, adapters, answerer, log, workers, metrics, PassiveReplies.DEFAULT_HELD_NOTE,
                PassiveReplies.DEFAULT_CONTINUED, answersInMemory);
    }

    /**
     * @param heldNote  passive reply on a platform's last delivery when the answer is not ready yet
     * @param continued marks an answer handed out in parts across the user's following messages
     * @param answersInMemory answers that may wait in memory before new messages wait in the record, at least 1
     */
    public InboundDispatcher(Map<String, Bot> bots, Map<String, ChannelAdapter> adapters, BotAnswerer answerer,
                             MessageLog log, ConversationWorkers workers, Metrics metrics, String heldNote,
                             String continued, int answersInMemory) {
        if (answersInMemory < 1) {
            throw new IllegalArgumentException("answers in memory must be at least 1, got " + answersInMemory);
        }
        this.answersInMemory = answersInMemory;
        // Live views: bots made in the console are added and removed while the server runs.
        this.bots = java.util.Collections.unmodifiableMap(bots);
        this.adapters = java.util.Collections.unmodifiableMap(adapters);
        this.answerer = answerer;
        this.log = log;
        this.workers = workers;
        this.metrics = metrics;
        this.passive = new PassiveReplies(log, workers, metrics, recent, this::answer, heldNote, continued,
                PassiveReplies.PLATFORM_DEADLINE);
    }

    /**
     * Handles what the adapter decoded; returns the HTTP response for the platform. Called on the request's thread;
     * returns within milliseconds for {@link Ack.Now}.
     */
    public HttpReply dispatch(ChannelAdapter adapter, CallbackResult.Inbound inbound) {
        InboundMessage m = inbound.message();
        String labels = "channel=\"" + m.channel().id() + "\",bot=\"" + m.botId() + "\"";
        String key = m.channel().id() + "/" + m.botId() + "/" + m.messageId();
        if (inbound.ack() instanceof Ack.Hold hold) {
            return passive.dispatch(adapter, m, hold, key, labels);
        }
        HttpReply ack = ((Ack.Now) inbound.ack()).response();
        if (recent.getIfPresent(key) != null) {
            metrics.inc("botgate_duplicates_dropped_total", labels, 1);
            return ack;
        }
        // Answers waiting in memory are bounded: past the bound (or while a backlog exists, to keep the order) the
        // message is recorded straight into the record's backlog, at no extra cost on the acknowledgement's path.
        // Both counters are held until the message is recorded (and, directly, handed to the workers): the pump
        // neither ends the backlog while a message is on its way into it, nor hands a backlogged message out ahead
        // of an earlier one that is still on its way into memory.
        boolean toBacklog;
        synchronized (backlogLock) {
            toBacklog = backlogged || inMemory.size() >= answersInMemory;
            if (toBacklog) {
                backlogged = true;
                spilling++;
            } else {
                handing++;
            }
        }
        try {
            Optional<Long> id = log.record(m.channel().id(), m.botId(), m.messageId(), m.conversationKey(),
                    m.senderId(), m.text(), replyContext(m),
                    toBacklog ? MessageLog.State.QUEUED : MessageLog.State.RECEIVED);
            recent.put(key, Boolean.TRUE);
            if (id.isEmpty()) {
                metrics.inc("botgate_duplicates_dropped_total", labels, 1);
                return ack;
            }
            metrics.inc("botgate_messages_in_total", labels, 1);
            if (toBacklog) {
                metrics.inc("botgate_answers_backlogged_total", labels, 1);
            } else {
                hand(adapter, id.get(), m);
            }
            return ack;
        } finally {
            synchronized (backlogLock) {
                if (toBacklog) {
                    spilling--;
                } else {
                    handing--;
                }
            }
            if (backlogged && inMemory.size() <= answersInMemory / 2) {
                schedulePump(); // otherwise a finishing answer schedules it
            }
        }
    }

    private void hand(ChannelAdapter adapter, long id, InboundMessage m) {
        inMemory.add(id);
        workers.submit(m.conversationKey(), () -> answerAndSend(adapter, id, m)).whenComplete((r, e) -> {
            inMemory.remove(id);
            if (backlogged && inMemory.size() <= answersInMemory / 2) {
                schedulePump();
            }
        });
    }

    private void schedulePump() {
        if (pumpScheduled.compareAndSet(false, true)) {
            try {
                retries.execute(this::pump);
            } catch (RejectedExecutionException e) {
                pumpScheduled.set(false); // closing: what is left waits in the record for the next start
            }
        }
    }

    /**
     * Hands backlog messages to the workers, oldest first, as far as there is room; ends the backlog once it is empty
     * and no message is on its way into it. Runs on one thread only (the retry scheduler), which owns the cursor.
     */
    private void pump() {
        pumpScheduled.set(false);
        try {
            while (backlogged) {
                synchronized (backlogLock) {
                    if (handing > 0) {
                        return; // an earlier message is on its way into memory; its dispatch schedules the next pump
                    }
                }
                int room = answersInMemory - inMemory.size();
                if (room <= 0) {
                    return; // a finishing answer schedules the next pump
                }
                List<MessageLog.Entry> rows = log.queued(backlogCursor, room);
                for (MessageLog.Entry e : rows) {
                    backlogCursor = e.id();
                    toMessage(e).ifPresent(p -> hand(p.adapter(), e.id(), p.message()));
                }
                if (rows.size() < room) {
                    synchronized (backlogLock) {
                        if (spilling == 0 && log.queued(backlogCursor, 1).isEmpty()) {
                            backlogged = false;
                        }
                    }
                    return; // still backlogged: a message on its way in schedules the next pump
                }
            }
        } catch (PipelineException e) {
            LOG.log(Level.WARNING, "cannot read the answer backlog, retrying in 1 s: " + e.getMessage());
            retries.schedule(this::schedulePump, 1, TimeUnit.SECONDS);
        }
    }

    /** Messages handed to the workers and not finished (at most {@code answersInMemory}). */
    public int answersInMemory() {
        return inMemory.size();
    }

    /** A recorded message with the adapter that answers it. */
    private record Pending(ChannelAdapter adapter, InboundMessage message) {
    }

    /** Rebuilds a recorded message; a message that can no longer be answered is marked failed with the reason. */
    private Optional<Pending> toMessage(MessageLog.Entry e) {
        ChannelAdapter adapter = adapters.get(e.bot());
        if (adapter == null || !adapter.channel().id().equals(e.channel())) {
            log.attemptFailed(e.id(), "bot " + e.bot() + " is no longer configured for " + e.channel(), true);
            return Optional.empty();
        }
        try {
            ReplyTo replyTo = REPLY_JSON.readValue(e.replyContext(), ReplyTo.class);
            return Optional.of(new Pending(adapter, new InboundMessage(adapter.channel(), e.bot(), e.conversation(),
                    e.sender(), e.text(), e.platformId(), MessageKind.TEXT, replyTo, false)));
        } catch (JsonProcessingException ex) {
            log.attemptFailed(e.id(), "unreadable reply context: " + ex.getOriginalMessage(), true);
            return Optional.empty();
        }
    }

    /**
     * Answers messages a crash left recorded but unanswered; call once at start, after the adapters exist. Computed
     * answers whose send did not finish are sent again; the others join the backlog (oldest first, behind any backlog
     * the last run left), so a large remainder does not all land in memory at once.
     */
    public int recover() {
        log.queueUnanswered();
        int resent = 0;
        for (MessageLog.Entry e : log.unanswered()) {
            Optional<Pending> p = toMessage(e);
            if (p.isPresent() && !p.get().adapter().canSend()) {
                log.answered(e.id(), MessageLog.State.HELD, e.answer(), "held"); // for the user's next message
            } else if (p.isPresent()) {
                InboundMessage m = p.get().message();
                workers.submit(m.conversationKey(), () -> send(p.get().adapter(), e.id(), m,
                        new OutboundText(e.answer(), List.of(), "Sources"), e.attempts()));
                resent++;
            }
        }
        int waiting = log.queuedCount(); // counted, not loaded: a crash may leave a large backlog
        if (waiting > 0) {
            backlogged = true;
            schedulePump();
        }
        if (resent + waiting > 0) {
            LOG.log(Level.INFO, "answering " + (resent + waiting) + " message(s) left unanswered by the last run");
        }
        return resent + waiting;
    }

    /** An answer and the text that carries it to the platform. */
    record Answered(Answer answer, OutboundText text) {
    }

    /** The bot's answer to a message, by kind; {@code progress} sees a model answer grow. */
    private Answered answer(InboundMessage m, java.util.function.Consumer<String> progress) {
        Bot bot = bots.get(m.botId());
        Answer answer = switch (m.kind()) {
            case WELCOME -> new Answer(bot.config().welcome(), List.of(), Answer.Policy.CANNED);
            case UNSUPPORTED -> new Answer(bot.config().unsupported(), List.of(), Answer.Policy.CANNED);
            case TEXT -> answerer.answer(bot, m.conversationKey(), m.senderId(), m.text(), progress);
        };
        return new Answered(answer, new OutboundText(answer.text(), answer.sources(), bot.config().sourcesLabel()));
    }

    /**
     * Answers and sends one recorded message. Whatever happens, the record leaves RECEIVED: ANSWERED, HELD, FAILED
     * with the reason, or RECEIVED with the error only while a send waits for its retry.
     */
    private void answerAndSend(ChannelAdapter adapter, long id, InboundMessage m) {
        try {
            answerAndSendOnce(adapter, id, m);
        } catch (RuntimeException e) {
            // A fault other than a platform's refusal (a search, the record, an adapter bug): say so in the record
            // instead of leaving the message looking as if it were still being answered.
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.log(Level.WARNING, "answering " + m.channel().id() + "/" + m.botId() + " failed: " + reason);
            log.attemptFailed(id, reason, true);
        }
    }

    private void answerAndSendOnce(ChannelAdapter adapter, long id, InboundMessage m) {
        String labels = "channel=\"" + m.channel().id() + "\",bot=\"" + m.botId() + "\"";
        if (!adapter.canSend()) {
            // Only reachable after a restart (live messages of such bots go through PassiveReplies): the answer is
            // held for the user's next message, as when all three deliveries lapse.
            Answered answered = answer(m, soFar -> { });
            if (answered.answer().policy() == Answer.Policy.SILENT) {
                log.answered(id, MessageLog.State.ANSWERED, "", Answer.Policy.SILENT.label());
                return;
            }
            log.answered(id, MessageLog.State.HELD, PassiveReplies.shown(adapter, answered.text()), "held");
            metrics.inc("botgate_passive_held_total", labels, 1);
            return;
        }
        ReplyStream stream = adapter.open(m);
        Answered answered = answer(m, soFar -> {
            try {
                stream.update(soFar);
            } catch (SendException e) {
                LOG.log(Level.DEBUG, "stream update failed, the final send will carry the answer: " + e.getMessage());
            }
        });
        Answer answer = answered.answer();
        OutboundText text = answered.text();
        if (answer.policy() == Answer.Policy.SILENT) {
            // A person holds this conversation: recorded for them, nothing sent.
            log.answered(id, MessageLog.State.ANSWERED, "", answer.policy().label());
            return;
        }
        log.answerReady(id, answer.text(), answer.policy().label());
        long t0 = System.nanoTime();
        try {
            stream.finish(text);
            log.answered(id, MessageLog.State.ANSWERED, answer.text(), answer.policy().label());
            metrics.observe("botgate_send_seconds", labels, (System.nanoTime() - t0) / 1e9);
        } catch (SendException e) {
            failed(adapter, id, m, text, 0, e);
        }
    }

    private void send(ChannelAdapter adapter, long id, InboundMessage m, OutboundText text, int attempts) {
        try {
            adapter.send(m, text);
            log.answered(id, MessageLog.State.ANSWERED, text.markdown(), log.get(id).map(MessageLog.Entry::policy)
                    .orElse(""));
        } catch (SendException e) {
            failed(adapter, id, m, text, attempts, e);
        } catch (RuntimeException e) {
            log.attemptFailed(id, e.getMessage() == null ? e.toString() : e.getMessage(), true);
        }
    }

    private void failed(ChannelAdapter adapter, long id, InboundMessage m, OutboundText text, int attempts,
                        SendException e) {
        metrics.inc("botgate_send_failures_total", "channel=\"" + m.channel().id() + "\",bot=\"" + m.botId() + "\"", 1);
        boolean giveUp = !e.retryable() || attempts + 1 >= MAX_SEND_ATTEMPTS;
        log.attemptFailed(id, e.getMessage(), giveUp);
        LOG.log(Level.WARNING, "send to " + m.channel().id() + "/" + m.botId() + " failed (attempt " + (attempts + 1)
                + (giveUp ? ", giving up" : ", will retry") + "): " + e.getMessage());
        if (!giveUp) {
            long delay = e.retryAfter().map(Duration::toMillis).orElse((long) (1000 * Math.pow(4, attempts)));
            retries.schedule(() -> workers.submit(m.conversationKey(), () -> send(adapter, id, m, text, attempts + 1)),
                    delay, TimeUnit.MILLISECONDS);
        }
    }

    static String replyContext(InboundMessage m) {
        try {
            return REPLY_JSON.writerFor(ReplyTo.class).writeValueAsString(m.replyTo());
        } catch (JsonProcessingException e) {
            throw new PipelineException("cannot serialise reply context: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
