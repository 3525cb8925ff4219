package dev.botgate.gateway.pipeline;

import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.EngineException;
import dev.botgate.backend.engine.Generation;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Rewrites a follow-up into a question that stands alone, with the bot's model and the conversation's recent turns
 * (FastGPT's 问题优化): "那运费呢？" after a question about returns becomes "退货的运费谁承担？". Short, greedy and
 * bounded; any failure means no rewrite, and the caller searches with the topic and the fragment instead.
 */
final class StandaloneQuestion {
    static final String INSTRUCTION = "你是问题改写助手。根据对话历史，把用户最后一句话改写成一个不依赖上下文、意思完整的问题。"
            + "只输出改写后的问题，不要回答它。Rewrite the user's last message as a standalone question; output only "
            + "the question.";
    private static final int MAX_TOKENS = 64;
    private static final long TIMEOUT_SECONDS = 20;
    private static final int HISTORY_TURNS = 4;

    private StandaloneQuestion() {
    }

    /** The rewrite, or empty when the model fails, times out or writes something that is not one short line. */
    static Optional<String> rewrite(Engine engine, String model, List<ConversationContext.Turn> history,
                                    String question) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(new ChatMessage("system", INSTRUCTION));
        for (ConversationContext.Turn t : history.subList(Math.max(0, history.size() - HISTORY_TURNS),
                history.size())) {
            messages.add(new ChatMessage(t.role(), t.content()));
        }
        messages.add(new ChatMessage("user", question));
        BlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
        Generation generation;
        try {
            generation = engine.submit(new GenerationRequest(model, new GenerationRequest.Chat(messages),
                    new GenerationOptions(0.0, null, null, null, null, null, MAX_TOKENS, List.of("\n"), null,
                            null)), events::add);
        } catch (EngineException e) {
            return Optional.empty();
        }
        StringBuilder text = new StringBuilder();
        try {
            while (true) {
                GenerationEvent ev = events.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                if (ev == null) {
                    generation.cancel();
                    return Optional.empty();
                }
                switch (ev) {
                    case GenerationEvent.Token tok -> text.append(tok.text());
                    case GenerationEvent.Done d -> {
                        String out = text.toString().strip();
                        return out.isEmpty() || out.length() > 200 || out.contains("\n") ? Optional.empty()
                                : Optional.of(out);
                    }
                    case GenerationEvent.Failed f -> {
                        return Optional.empty();
                    }
                }
            }
        } catch (InterruptedException e) {
            generation.cancel();
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
