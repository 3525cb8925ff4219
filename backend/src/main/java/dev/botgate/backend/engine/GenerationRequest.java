package dev.botgate.backend.engine;

import java.util.List;
import java.util.Objects;

/**
 * One generation: a model name as the store knows it ({@code qwen2.5:0.5b}), the prompt, per-request options that
 * override the model's defaults, and the functions the model may call ({@link Tools#NONE} for none).
 */
public record GenerationRequest(String model, Prompt prompt, GenerationOptions options, Tools tools) {
    public GenerationRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(tools, "tools");
    }

    /** A request without tools. */
    public GenerationRequest(String model, Prompt prompt, GenerationOptions options) {
        this(model, prompt, options, Tools.NONE);
    }

    /** What the model is asked: a chat, rendered with the model's template, or raw text used as is. */
    public sealed interface Prompt permits Chat, Raw {}

    /** Chat messages; a system message from the model's Modelfile is added when the chat has none. */
    public record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    /** Text given to the model unchanged (Ollama's {@code raw: true}). */
    public record Raw(String text) implements Prompt {
        public Raw {
            Objects.requireNonNull(text, "text");
        }
    }
}
