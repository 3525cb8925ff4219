package dev.botgate.gateway.handoff;

import java.time.Instant;
import java.util.Optional;

/**
 * One handoff of a conversation to a person.
 *
 * @param id           the handoff's number
 * @param bot          the bot whose conversation it is
 * @param conversation the conversation key inside the bot
 * @param channel      the bot's platform
 * @param user         the person asking
 * @param question     the question that led to it
 * @param reason       {@code keyword}, {@code fallbacks} or {@code operator}
 * @param openedAt     when it was handed over
 * @param lastAgentAt  the agent's last reply, if any
 * @param closedAt     when the bot took over again; empty while open
 * @param closedBy     {@code agent} (released) or {@code timeout} (resume-after passed); empty while open
 */
public record Handoff(long id, String bot, String conversation, String channel, String user, String question,
                      String reason, Instant openedAt, Optional<Instant> lastAgentAt, Optional<Instant> closedAt,
                      String closedBy) {

    /** The conversation's id in the admin API: {@code BOT:KEY}. */
    public String conversationId() {
        return ConversationRef.of(bot, conversation).id();
    }

    /** Whether a person holds the conversation. */
    public boolean open() {
        return closedAt.isEmpty();
    }

    /** The last sign of the agent: their last reply, or the handoff itself. */
    public Instant lastActivity() {
        return lastAgentAt.filter(a -> a.isAfter(openedAt)).orElse(openedAt);
    }
}
