package dev.botgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.Engine;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.LlamaEngine;
import dev.botgate.backend.store.ModelStore;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code botgate run MODEL [PROMPT]}: chat with a model in the terminal, like {@code ollama run}. */
@Command(name = "run", mixinStandardHelpOptions = true, description = {
        "Chat with a model. With a PROMPT, answer once and exit; without, chat interactively:",
        "  /bye to leave, /clear to forget the conversation, \"\"\" to start and end multi-line input.",
        "A catalogue model that is not in the store is pulled first. Uses the running server when there is one, "
                + "else loads the model in this process."})
final class RunCommand extends CommandBase implements Runnable {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Parameters(index = "1..*", paramLabel = "PROMPT", arity = "0..*")
    List<String> prompt = List.of();

    /** One chat turn, streamed token by token. */
    interface Chat extends AutoCloseable {
        void send(List<ChatMessage> messages, Consumer<String> token);

        @Override
        default void close() {
        }
    }

    @Override
    public void run() {
        try (Chat chat = open()) {
            List<ChatMessage> history = new ArrayList<>();
            if (!prompt.isEmpty()) {
                turn(chat, history, String.join(" ", prompt));
                return;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                out.print(">>> ");
                out.flush();
                String line = readInput(in);
                if (line == null || line.strip().equals("/bye")) {
                    return;
                }
                if (line.strip().equals("/clear")) {
                    history.clear();
                    out.println("Cleared the conversation.");
                    continue;
                }
                if (line.isBlank()) {
                    continue;
                }
                turn(chat, history, line);
            }
        }
    }

    private void turn(Chat chat, List<ChatMessage> history, String text) {
        history.add(new ChatMessage("user", text));
        StringBuilder answer = new StringBuilder();
        chat.send(history, t -> {
            answer.append(t);
            out.print(t);
            out.flush();
        });
        out.println();
        history.add(new ChatMessage("assistant", answer.toString()));
    }

    /** A line, or several between lines of {@code """}. */
    private String readInput(BufferedReader in) {
        try {
            String line = in.readLine();
            if (line == null || !line.strip().startsWith("\"\"\"")) {
                return line;
            }
            StringBuilder sb = new StringBuilder(line.strip().substring(3));
            while (true) {
                out.print("... ");
                out.flush();
                String next = in.readLine();
                if (next == null) {
                    return sb.toString();
                }
                int end = next.indexOf("\"\"\"");
                if (end >= 0) {
                    sb.append('\n').append(next, 0, end);
                    return sb.toString().strip();
                }
                sb.append('\n').append(next);
            }
        } catch (IOException e) {
            throw new CliException("cannot read input: " + e.getMessage());
        }
    }

    private Chat open() {
        ApiClient api = client();
        if (api.serverRunning()) {
            boolean present = false;
            for (JsonNode m : api.get("/api/tags").path("models")) {
                present |= m.path("name").asText().equals(model) || m.path("name").asText().equals(model + ":latest");
            }
            if (!present) {
                ModelCommands.pull(this, model);
            }
            return (messages, token) -> {
                List<Map<String, String>> wire = messages.stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content())).toList();
                api.stream("/api/chat", Map.of("model", model, "messages", wire), line ->
                        token.accept(line.path("message").path("content").asText("")));
            };
        }
        Settings settings = settings();
        ModelStore store = ModelCommands.store(this);
        if (store.find(model).isEmpty()) {
            ModelCommands.pull(this, model);
        }
        Engine engine = new LlamaEngine(Wiring.engineOptions(settings), store);
        return new Chat() {
            @Override
            public void send(List<ChatMessage> messages, Consumer<String> token) {
                LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
                engine.submit(new GenerationRequest(model, new GenerationRequest.Chat(messages), GenerationOptions.NONE),
                        events::add);
                while (true) {
                    GenerationEvent e;
                    try {
                        e = events.take();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    switch (e) {
                        case GenerationEvent.Token t -> token.accept(t.text());
                        case GenerationEvent.Done d -> {
                            return;
                        }
                        case GenerationEvent.Failed f -> throw new CliException(f.message());
                    }
                }
            }

            @Override
            public void close() {
                engine.close();
            }
        };
    }
}
