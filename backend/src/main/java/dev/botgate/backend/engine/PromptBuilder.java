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
    private final ChatTemplate template;
    /** The template's overhead, measured on first use (a race measures it twice, harmlessly). */
    private volatile Overhead overhead;

    PromptBuilder(LlamaModel model, int contextLength, ContextOverflow policy, ChatTemplate template) {
        this.model = model;
        this.contextLength = contextLength;
        this.policy = policy;
        this.template = template;
    }

    /** The model's template as Jinjava renders it (for chats with tools). */
    ChatTemplate template() {
        return template;
    }

    /**
     * A prompt ready to run.
     *
     * @param text         what llama.cpp gets
     * @param promptTokens tokens of {@code text} (without the BOS token llama.cpp may add)
     * @param droppedTurns turns dropped to fit
     * @param nPredict     tokens llama.cpp may generate: the request's limit, or what is left of the context
     * @param limited      whether {@code nPredict} is a limit set by the request, the model or the configuration
     *                     (not just what is left of the context)
     */
    record Prepared(String text, int promptTokens, int droppedTurns, int nPredict, boolean limited) {
    }

    /**
     * @param numPredict the request's limit, or a value ≤ 0 for none
     * @param defaultPredict the configured default limit ({@code engine.num-predict}) when the request has none:
     *                   unlike the request's own, it reserves no room and only caps what is left of the context
     * @param numCtx     the request's own context window ({@code num_ctx}), or a value ≤ 0 for the loaded one; a
     *                   larger one than the model was loaded with cannot be granted and is capped
     */
    Prepared prepare(ModelSpec spec, GenerationRequest.Prompt prompt, Tools tools, int numPredict, int defaultPredict,
                     int numCtx) {
        int context = numCtx > 0 ? Math.min(numCtx, contextLength) : contextLength;
        int reserve = numPredict > 0 ? numPredict : 1;
        Prepared p = switch (prompt) {
            case GenerationRequest.Raw raw -> {
                int tokens = count(raw.text());
                if (!fits(tokens, reserve, context)) {
                    throw tooLong(tokens, numPredict, context);
                }
                yield prepared(raw.text(), tokens, 0, numPredict, context);
            }
            case GenerationRequest.Chat chat -> prepareChat(spec, chat.messages(), shownTools(tools), numPredict,
                    reserve, context);
        };
        if (numPredict <= 0 && defaultPredict > 0 && defaultPredict < p.nPredict()) {
            return new Prepared(p.text(), p.promptTokens(), p.droppedTurns(), defaultPredict, true);
        }
        return p;
    }

    /**
     * Fits a chat into the context. Linear in the chat's length: each message is tokenised at most once, walking
     * back from the newest, and the oldest turns that do not fit are dropped by a running sum of those counts plus
     * the template's overhead per message (estimated once per model). Only the kept part, at most a context's worth,
     * is rendered and checked; should the estimate fall short, more turns are dropped by the measured excess.
     * (Rendering and tokenising the whole chat again after each dropped turn took 8.7 s for 2,000 turns and
     * minutes for 10,000.)
     */
    private Prepared prepareChat(ModelSpec spec, List<ChatMessage> given, List<ToolSpec> tools, int numPredict,
                                 int reserve, int context) {
        if (given.isEmpty()) {
            throw new InvalidRequestException("the chat has no messages");
        }
        List<ChatMessage> messages = new ArrayList<>(given);
        if (!spec.system().isEmpty() && messages.stream().noneMatch(m -> m.role().equals("system"))) {
            messages.addFirst(new ChatMessage("system", spec.system()));
        }
        if (policy == ContextOverflow.ERROR) {
            String text = render(messages, tools);
            int tokens = count(text);
            if (!fits(tokens, reserve, context)) {
                throw tooLong(tokens, numPredict, context);
            }
            return prepared(text, tokens, 0, numPredict, context);
        }
        int n = messages.size();
        int lastUser = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("user")) {
                lastUser = i;
                break;
            }
        }
        // Turns before the last user message may be dropped; system messages and the last exchange never are.
        Overhead overhead = overhead();
        long budget = (long) context - RESERVED - reserve;
        int[] cost = new int[n];
        long need = overhead.fixed() + (tools.isEmpty() ? 0 : count(tools.toString()));
        for (int i = 0; i < n; i++) {
            if (i >= Math.max(lastUser, 0) || messages.get(i).role().equals("system")) {
                cost[i] = cost(messages.get(i), overhead);
                need += cost[i];
            }
        }
        int start = Math.max(lastUser, 0);
        for (int i = start - 1; i >= 0; i--) {
            if (messages.get(i).role().equals("system")) {
                continue;
            }
            cost[i] = cost(messages.get(i), overhead);
            if (need + cost[i] > budget) {
                break;
            }
            need += cost[i];
            start = i;
        }
        start = firstUserFrom(messages, start, lastUser);
        while (true) {
            List<ChatMessage> kept = keptFrom(messages, start);
            String text = render(kept, tools);
            int tokens = count(text);
            if (fits(tokens, reserve, context)) {
                return prepared(text, tokens, n - kept.size(), numPredict, context);
            }
            // The estimate fell short (tokens merge differently inside the template): drop at least the excess.
            long excess = tokens + RESERVED + reserve - (long) context;
            int next = start;
            long freed = 0;
            while (next < lastUser && freed < excess) {
                if (!messages.get(next).role().equals("system")) {
                    freed += cost[next];
                }
                next++;
            }
            next = firstUserFrom(messages, next, lastUser);
            if (next == start || freed == 0) {
                throw tooLong(tokens, numPredict, context);
            }
            start = next;
        }
    }

    /** The first index at or after {@code from} where a user message starts the kept history (at most {@code lastUser}). */
    private static int firstUserFrom(List<ChatMessage> messages, int from, int lastUser) {
        int i = from;
        while (i < lastUser && !messages.get(i).role().equals("user")) {
            i++;
        }
        return Math.max(i, from);
    }

    /** Every system message before {@code start}, then everything from {@code start} on. */
    private static List<ChatMessage> keptFrom(List<ChatMessage> messages, int start) {
        List<ChatMessage> kept = new ArrayList<>();
        for (int i = 0; i < start; i++) {
            if (messages.get(i).role().equals("system")) {
                kept.add(messages.get(i));
            }
        }
        kept.addAll(messages.subList(start, messages.size()));
        return kept;
    }

    private int cost(ChatMessage m, Overhead overhead) {
        int calls = m.toolCalls().isEmpty() ? 0 : count(m.toolCalls().toString());
        return count(m.content()) + calls + overhead.perMessage();
    }

    /** What the template adds: once per prompt, and per message around its content (in tokens). */
    record Overhead(int fixed, int perMessage) {
    }

    /** Measured once per model on tiny chats: the template is fixed for the life of a loaded model. */
    private Overhead overhead() {
        Overhead o = overhead;
        if (o == null) {
            int x = count("x");
            int one = count(render(List.of(new ChatMessage("user", "x"))));
            int three = count(render(List.of(new ChatMessage("user", "x"), new ChatMessage("assistant", "x"),
                    new ChatMessage("user", "x"))));
            int perMessage = Math.max(0, (three - one + 1) / 2 - x);
            o = new Overhead(Math.max(0, one - x - perMessage), perMessage);
            overhead = o;
        }
        return o;
    }

    /**
     * The chat rendered with the model's template (the GGUF's, or the Modelfile's override given at load; llama.cpp
     * uses chatml when the model has none), ending with the assistant's turn opening. When the template fails on
     * these messages, ChatML rendered here.
     */
    String render(List<ChatMessage> messages) {
        return render(messages, List.of());
    }

    /**
     * The chat rendered for a request: with tools, or with tool calls or results in the history, by {@link ChatTemplate}
     * (llama.cpp's {@code applyTemplate} can pass neither); otherwise by llama.cpp.
     */
    String render(List<ChatMessage> messages, List<ToolSpec> tools) {
        if (!tools.isEmpty() || messages.stream().anyMatch(m -> !m.toolCalls().isEmpty() || m.role().equals("tool"))) {
            return template.render(messages, tools);
        }
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

    /** The tools a prompt shows: none when the request says {@code tool_choice: none}. */
    private static List<ToolSpec> shownTools(Tools tools) {
        return tools.choice() == Tools.Choice.NONE ? List.of() : tools.specs();
    }

    int count(String text) {
        return model.encode(text).length;
    }

    private static boolean fits(int tokens, int reserve, int context) {
        return (long) tokens + RESERVED + reserve <= context;
    }

    private static Prepared prepared(String text, int tokens, int dropped, int numPredict, int context) {
        boolean limited = numPredict > 0;
        int n = limited ? numPredict : context - tokens - RESERVED;
        return new Prepared(text, tokens, dropped, n, limited);
    }

    private static InvalidRequestException tooLong(int tokens, int numPredict, int context) {
        if (numPredict > 0 && (long) tokens + RESERVED < context) {
            return new InvalidRequestException("prompt is " + tokens + " tokens and num_predict " + numPredict
                    + ", the context holds " + context + "; shorten the prompt, lower num_predict or raise num_ctx");
        }
        return new InvalidRequestException("prompt is " + tokens + " tokens, the context holds " + context
                + "; shorten it or raise num_ctx");
    }
}
