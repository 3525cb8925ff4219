package dev.botgate.backend.engine;

import java.util.List;
import java.util.Objects;

/**
 * One chat turn. Role is {@code system}, {@code user}, {@code assistant} or {@code tool}.
 *
 * @param toolCalls  the calls an assistant turn made (empty for other turns)
 * @param toolCallId for a {@code tool} turn, the id of the call it answers (empty when the client sent none)
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(toolCallId, "toolCallId");
    }

    /** A plain turn without tool calls. */
    public ChatMessage(String role, String content) {
        this(role, content, List.of(), "");
    }
}
