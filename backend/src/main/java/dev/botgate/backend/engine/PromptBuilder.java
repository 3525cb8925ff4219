package dev.botgate.backend.engine;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders a request's prompt with the model's chat template and makes it fit the context under the configured
 * {@link ContextOverflow} policy. Calls llama.cpp (template, tokenizer), so it runs on an engine thread.
 */
final class PromptBuilder {
    /**
     * Tokens kept free beyond prompt and generation: the BOS token llama.cpp adds (not counted by {@code encode}) and
     * one more, because this llama.cpp build refuses a request that reaches the last cell of its slot.
     */
    static final int RESERVED = 2;

    private final LlamaModel model;
    private final int contextLength;
    private final ContextOverflow policy;

    PromptBuilder(LlamaModel model, int contextLength, ContextOverflow policy) {
        this.model = model;
        this.contextLength = contextLength;
        this.policy = policy;
    }

    /**
     * A prompt ready to run.
     *
     * @param text         what llama.cpp gets
     * @param promptTokens tokens of {@code text} (without the BOS token llama.cpp may add)
     * @param droppedTurns turns dropped to fit
     * @param nPredict     tokens llama.cpp may generate: the request's limit, or what is left of the context
     * @param limited      whether {@code nPredict} is the request's own limit
     */
    record Prepared(String text, int promptTokens, int droppedTurns, int nPredict, boolean limited) {
    }

    /** @param numPredict the request's limit, or a value ≤ 0 for none */
    Prepared prepare(ModelSpec spec, GenerationRequest.Prompt prompt, int numPredict) {
        int reserve = numPredict > 0 ? numPredict : 1;
        return switch (prompt) {
            case GenerationRequest.Raw raw -> {
                int tokens = count(raw.text());
                if (!fits(tokens, reserve)) {
                    throw tooLong(tokens, numPredict);
                }
                yield prepared(raw.text(), tokens, 0, numPredict);
            }
            case GenerationRequest.Chat chat -> prepareChat(spec, chat.messages(), numPredict, reserve);
        };
    }

    private Prepared prepareChat(ModelSpec spec, List<ChatMessage> given, int numPredict, int reserve) {
        if (given.isEmpty()) {
            throw new InvalidRequestException("the chat has no messages");
        }
        List<ChatMessage> messages = new ArrayList<>(given);
        if (!spec.system().isEmpty() && messages.stream().noneMatch(m -> m.role().equals("system"))) {
            messages.addFirst(new ChatMessage("system", spec.system()));
        }
        int dropped = 0;
        while (true) {
            String text = render(messages);
            int tokens = count(text);
            if (fits(tokens, reserve)) {
                return prepared(text, tokens, dropped, numPredict);
            }
            if (policy == ContextOverflow.ERROR) {
                throw tooLong(tokens, numPredict);
            }
            int removed = dropOldestTurn(messages);
            if (removed == 0) {
                throw tooLong(tokens, numPredict);
            }
            dropped += removed;
        }
    }

    /**
     * Removes the oldest non-system message before the last user message, and an assistant (or tool) message that
     * would then lead the history, so the remaining turns still start with a user. Returns how many were removed.
     */
    static int dropOldestTurn(List<ChatMessage> messages) {
        int lastUser = -1;
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) {
                lastUser = i;
                break;
            }
        }
        int removed = 0;
        for (int i = 0; i < lastUser; i++) {
            if (!messages.get(i).role().equals("system")) {
                messages.remove(i);
                lastUser--;
                removed++;
                break;
            }
        }
        if (removed == 0) {
            return 0;
        }
        for (int i = 0; i < lastUser; i++) {
            String role = messages.get(i).role();
            if (role.equals("system")) {
                continue;
            }
            if (role.equals("user")) {
                break;
            }
            messages.remove(i--);
            lastUser--;
            removed++;
        }
        return removed;
    }

    /**
     * The chat rendered with the model's template (the GGUF's, or the Modelfile's override given at load; llama.cpp
     * uses chatml when the model has none), ending with the assistant's turn opening. When the template fails on
     * these messages, ChatML rendered here.
     */
    String render(List<ChatMessage> messages) {
        String system = null;
        List<Pair<String, String>> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (i == 0 && m.role().equals("system")) {
                system = m.content();
            } else {
                turns.add(new Pair<>(m.role(), m.content()));
            }
        }
        try {
            return model.applyTemplate(new InferenceParameters("").setMessages(system, turns));
        } catch (RuntimeException e) { // LlamaException (not public): the template failed on these messages
            return chatml(messages);
        }
    }

    static String chatml(List<ChatMessage> messages) {
        StringBuilder out = new StringBuilder();
        for (ChatMessage m : messages) {
            out.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
        }
        return out.append("<|im_start|>assistant\n").toString();
    }

    int count(String text) {
        return model.encode(text).length;
    }

    private boolean fits(int tokens, int reserve) {
        return (long) tokens + RESERVED + reserve <= contextLength;
    }

    private Prepared prepared(String text, int tokens, int dropped, int numPredict) {
        boolean limited = numPredict > 0;
        int n = limited ? numPredict : contextLength - tokens - RESERVED;
        return new Prepared(text, tokens, dropped, n, limited);
    }

    private InvalidRequestException tooLong(int tokens, int numPredict) {
        if (numPredict > 0 && (long) tokens + RESERVED < contextLength) {
            return new InvalidRequestException("prompt is " + tokens + " tokens and num_predict " + numPredict
                    + ", the context holds " + contextLength + "; shorten the prompt, lower num_predict or raise num_ctx");
        }
        return new InvalidRequestException("prompt is " + tokens + " tokens, the context holds " + contextLength
                + "; shorten it or raise num_ctx");
    }
}
