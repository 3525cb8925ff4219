package dev.botgate.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code botgate chat BOT [MESSAGE]}: talk to a bot through its whole pipeline, without any platform. */
@Command(name = "chat", mixinStandardHelpOptions = true, description = {
        "Chat with a configured bot through the same pipeline as the platforms (knowledge, model, guardrails).",
        "With a MESSAGE, answer once; without, chat interactively (/bye to leave, /reset to start over).",
        "Needs a running server (botgate serve)."})
final class ChatCommand extends CommandBase implements Runnable {
    @Parameters(index = "0", paramLabel = "BOT")
    String bot;

    @Parameters(index = "1..*", paramLabel = "MESSAGE", arity = "0..*")
    List<String> message = List.of();

    @Override
    public void run() {
        ApiClient api = client();
        if (!api.serverRunning()) {
            throw new CliException("no Botgate server at " + api.base() + "; start one with 'botgate serve' "
                    + "(in another terminal) and try again");
        }
        String conversation = "cli-" + UUID.randomUUID();
        if (!message.isEmpty()) {
            ask(api, conversation, String.join(" ", message));
            return;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            out.print(bot + "> ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                throw new CliException("cannot read input: " + e.getMessage());
            }
            if (line == null || line.strip().equals("/bye")) {
                return;
            }
            if (!line.isBlank()) {
                ask(api, conversation, line);
            }
        }
    }

    private void ask(ApiClient api, String conversation, String text) {
        api.stream("/admin/bots/" + bot + "/chat", Map.of("message", text, "conversation_id", conversation), line -> {
            if (line.has("delta")) {
                out.print(line.path("delta").asText());
                out.flush();
            } else if (line.path("done").asBoolean()) {
                JsonNode sources = line.path("sources");
                if (!line.path("answer").asText().isEmpty() && line.path("policy").asText().equals("model")) {
                    out.println();
                } else {
                    out.println(line.path("answer").asText());
                }
                if (!sources.isEmpty()) {
                    StringBuilder sb = new StringBuilder("  来源 Sources: ");
                    sources.forEach(s -> sb.append(s.asText()).append("; "));
                    out.println(sb.substring(0, sb.length() - 2) + "   [" + line.path("policy").asText() + "]");
                } else {
                    out.println("  [" + line.path("policy").asText() + "]");
                }
            }
        });
    }
}
