package dev.botgate.gateway.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One bot's behaviour (the platform block is read by its adapter).
 *
 * @param id             the bot's id, also its callback path segment
 * @param channel        wecom, wechat, feishu, slack, or local (only the chat console and the API)
 * @param knowledge      knowledge bases searched, in no particular order
 * @param model          the model that writes answers; empty to answer from knowledge alone
 * @param systemPrompt   instructions put before the passages
 * @param welcome        reply to a subscribe / enter event
 * @param fallback       reply when nothing relevant is found
 * @param threshold      minimum similarity (cosine) of the best passage for an answer; passages below it are not used
 * @param topK           passages given to the model
 * @param sensitiveWords questions or answers containing one of these get the refusal text
 * @param refusal        reply when a sensitive word is found
 * @param ratePerMinute  messages one user may send per minute (0 = unlimited)
 * @param busy           reply when the model's queue is full
 * @param unsupported    reply to message types other than text
 * @param sourcesLabel   label before the cited sources
 * @param answerMode     how sure the bot must be to answer ({@code answer-mode}); sets the threshold unless
 *                       {@code threshold} is configured, and the clarifying menu's margin
 */
public record BotConfig(String id, String channel, List<String> knowledge, Optional<String> model, String systemPrompt,
                        String welcome, String fallback, double threshold, int topK, List<String> sensitiveWords,
                        String refusal, int ratePerMinute, String busy, String unsupported, String sourcesLabel,
                        AnswerMode answerMode) {
    public BotConfig {
        Objects.requireNonNull(id, "id");
        knowledge = List.copyOf(knowledge);
        sensitiveWords = List.copyOf(sensitiveWords);
        Objects.requireNonNull(answerMode, "answerMode");
    }

    /** A bot in the default answer mode with an explicit threshold. */
    public BotConfig(String id, String channel, List<String> knowledge, Optional<String> model, String systemPrompt,
                     String welcome, String fallback, double threshold, int topK, List<String> sensitiveWords,
                     String refusal, int ratePerMinute, String busy, String unsupported, String sourcesLabel) {
        this(id, channel, knowledge, model, systemPrompt, welcome, fallback, threshold, topK, sensitiveWords, refusal,
                ratePerMinute, busy, unsupported, sourcesLabel, AnswerMode.BALANCED);
    }
}
