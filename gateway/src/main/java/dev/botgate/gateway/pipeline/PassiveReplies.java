package dev.botgate.gateway.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import dev.botgate.adapters.Ack;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.HttpReply;
import dev.botgate.adapters.InboundMessage;
import dev.botgate.adapters.OutboundText;
import dev.botgate.adapters.delivery.TextSplitter;
import dev.botgate.gateway.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Answers platforms that can only be answered inside the callback's own response (an unverified WeChat Official
 * Account: 3 deliveries of 5 s each). The answer starts on the first delivery; each delivery is held up to the
 * adapter's hold time and answered passively as soon as the answer is ready, on whichever delivery is open (a retry
 * joins the answer in progress). A delivery that runs out is left to lapse, so the platform delivers again. Only on
 * the last delivery, if the answer is still not ready, the user gets a short note; the answer is kept in the durable
 * record (state HELD) and handed out on the user's next message, whatever they type, before the answer to that
 * message. An answer longer than one passive reply goes out in parts across the user's following messages, each
 * marked as continued. Answers are converted for the platform by the adapter ({@link ChannelAdapter#passiveParts}),
 * as its own sends are.
 */
final class PassiveReplies {
    static final String DEFAULT_HELD_NOTE = "正在为您查询，请稍后回复任意内容获取答案。";
    static final String DEFAULT_CONTINUED = "（未完，回复任意内容查看后续）";
    /** A platform gives up on a delivery after 5 s; a lapsing delivery is answered only after that. */
    static final Duration PLATFORM_DEADLINE = Duration.ofMillis(5_300);
    private final Duration platformDeadline;

    private final MessageLog log;
    private final ConversationWorkers workers;
    private final Metrics metrics;
    private final Cache<String, Boolean> recent;
    private final BiFunction<InboundMessage, Consumer<String>, InboundDispatcher.Answered> answerer;
    private final String heldNote;
    private final String continued;
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();

    /** An answer in progress and the deliveries that came for it. */
    private record Pending(long id, CompletableFuture<String> text, AtomicInteger deliveries, List<String> earlier) {
    }

    PassiveReplies(MessageLog log, ConversationWorkers workers, Metrics metrics, Cache<String, Boolean> recent,
                   BiFunction<InboundMessage, Consumer<String>, InboundDispatcher.Answered> answerer, String heldNote,
                   String continued, Duration platformDeadline) {
        this.platformDeadline = platformDeadline;
        this.log = log;
        this.workers = workers;
        this.metrics = metrics;
        this.recent = recent;
        this.answerer = answerer;
        this.heldNote = heldNote;
        this.continued = continued;
    }

    /** Handles one delivery; blocks up to the hold time (on the request's virtual thread). */
    HttpReply dispatch(ChannelAdapter adapter, InboundMessage m, Ack.Hold hold, String key, String labels) {
        long start = System.nanoTime();
        Pending p = pending.get(key);
        if (p == null) {
            if (recent.getIfPresent(key) != null) {
                return hold.release();
            }
            Optional<Long> id = log.record(m.channel().id(), m.botId(), m.messageId(), m.conversationKey(),
                    m.senderId(), m.text(), InboundDispatcher.replyContext(m));
            recent.put(key, Boolean.TRUE);
            if (id.isEmpty()) {
                metrics.inc("botgate_duplicates_dropped_total", labels, 1);
                return hold.release();
            }
            metrics.inc("botgate_messages_in_total", labels, 1);
            Pending fresh = new Pending(id.get(), new CompletableFuture<>(), new AtomicInteger(), heldParts(m));
            Pending raced = pending.putIfAbsent(key, fresh);
            p = raced != null ? raced : fresh;
            if (raced == null) {
                Pending started = p;
                workers.submit(m.conversationKey(), () -> {
                    try {
                        InboundDispatcher.Answered a = answerer.apply(m, s -> { });
                        String text = shown(adapter, a.text());
                        log.answerReady(started.id(), text, a.answer().policy().label());
                        started.text().complete(text);
                    } catch (RuntimeException e) {
                        started.text().completeExceptionally(e);
                    }
                });
            }
        } else {
            metrics.inc("botgate_duplicates_dropped_total", labels, 1);
        }
        int delivery = p.deliveries().incrementAndGet();
        String text;
        try {
            text = p.text().get(hold.holdFor().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            if (delivery < hold.deliveries()) {
                lapse(start, platformDeadline);
                return hold.release();
            }
            // Last delivery: say the answer is coming, keep it for the user's next message.
            pending.remove(key, p);
            long id = p.id();
            p.text().whenComplete((t, err) -> {
                if (err == null) {
                    log.answered(id, MessageLog.State.HELD, t, "held");
                } else {
                    log.attemptFailed(id, err.getMessage(), true);
                }
            });
            metrics.inc("botgate_passive_held_total", labels, 1);
            String note = p.earlier().isEmpty() ? heldNote : String.join("\n\n", p.earlier()) + "\n\n" + heldNote;
            return reply(adapter, m, hold, note, p);
        } catch (ExecutionException e) {
            pending.remove(key, p);
            log.attemptFailed(p.id(), String.valueOf(e.getCause().getMessage()), true);
            return hold.release();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return hold.release();
        }
        pending.remove(key, p);
        List<String> parts = new ArrayList<>(p.earlier());
        if (!text.isEmpty()) {
            parts.add(text); // empty: a person holds the conversation and the bot stays silent
        }
        return reply(adapter, m, hold, String.join("\n\n", parts), p);
    }

    /** Sends what fits in one passive reply; the rest is held for the next messages, each part marked. */
    private HttpReply reply(ChannelAdapter adapter, InboundMessage m, Ack.Hold hold, String text, Pending p) {
        if (text.isBlank()) {
            log.answered(p.id(), MessageLog.State.ANSWERED, "", log.get(p.id()).map(MessageLog.Entry::policy)
                    .orElse(""));
            return hold.release();
        }
        List<String> pieces = split(text, hold.maxReplyBytes() - TextSplitter.utf8Length(continued) - 8);
        String first = pieces.getFirst();
        if (pieces.size() > 1) {
            first += "\n" + continued;
            String rest = String.join("", pieces.subList(1, pieces.size()));
            Optional<Long> restId = log.record(m.channel().id(), m.botId(), m.messageId() + "#cont", m.conversationKey(),
                    m.senderId(), "", InboundDispatcher.replyContext(m));
            restId.ifPresent(r -> log.answered(r, MessageLog.State.HELD, rest, "continued"));
        }
        if (!log.get(p.id()).map(e -> e.state() == MessageLog.State.HELD).orElse(false)) {
            log.answered(p.id(), MessageLog.State.ANSWERED, text, log.get(p.id()).map(MessageLog.Entry::policy)
                    .orElse(""));
        }
        return adapter.passiveReply(m, first).orElse(hold.release());
    }

    /** Answers held for this conversation, handed out now (and marked answered). */
    private List<String> heldParts(InboundMessage m) {
        List<String> out = new ArrayList<>();
        for (MessageLog.Entry e : log.held(m.channel().id(), m.botId(), m.conversationKey())) {
            out.add(e.answer());
            log.answered(e.id(), MessageLog.State.ANSWERED, e.answer(), e.policy());
        }
        return out;
    }

    /** Keeps the lapsing delivery open until the platform has given up on it, so it delivers again. */
    private static void lapse(long startNanos, Duration deadline) {
        long waited = (System.nanoTime() - startNanos) / 1_000_000;
        long rest = deadline.toMillis() - waited;
        if (rest > 0) {
            try {
                Thread.sleep(rest);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The answer as the platform shows it, converted by the adapter as its own sends are (an Official Account shows
     * no Markdown), with the sources line. The adapter's parts fit one passive reply each; they are joined again here
     * because the deliveries also carry held answers and a "continued" mark, and are split again to make room.
     */
    static String shown(ChannelAdapter adapter, OutboundText text) {
        List<String> parts = adapter.passiveParts(text);
        return parts.isEmpty() ? text.withSourcesLine() : String.join("\n", parts);
    }

    /** Pieces of at most {@code max} UTF-8 bytes, cut at sentence ends where possible (the adapters' splitter). */
    static List<String> split(String text, int max) {
        List<String> parts = TextSplitter.utf8Bytes(text, max);
        return parts.isEmpty() ? List.of("") : parts;
    }

}
