package dev.botgate.gateway.cli;

import dev.botgate.gateway.ApiKeyFile;
import dev.botgate.gateway.http.ApiKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botgate keys new|list}: API keys and their scopes. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys.",
        subcommands = {KeysCommand.New.class, KeysCommand.ListKeys.class})
final class KeysCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    private static Path where(CommandBase command) {
        return command.settings().paths().home().resolve("api-keys");
    }

    private static ApiKeyFile file(CommandBase command) {
        return new ApiKeyFile(where(command), command.settings().server().apiKeyHashes());
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = {
            "Create an API key: prints it once and stores only its scope and SHA-256 hash in $BOTGATE_HOME/api-keys.",
            "Clients send it as 'Authorization: Bearer KEY'; the CLI reads it from BOTGATE_API_KEY.",
            "Scopes: 'use' may chat, generate, embed, list and show models and talk to bots; 'admin' may also pull,",
            "create and delete models and manage knowledge bases, bots, conversations and metrics."})
    static final class New extends CommandBase implements Runnable {
        @Option(names = "--scope", paramLabel = "use|admin", defaultValue = "admin",
                description = "what the key may do (default: ${DEFAULT-VALUE})")
        String scope;

        @Override
        public void run() {
            ApiKeys.Scope s = switch (scope.toLowerCase(Locale.ROOT)) {
                case "use" -> ApiKeys.Scope.USE;
                case "admin" -> ApiKeys.Scope.ADMIN;
                default -> throw new CliException("--scope must be use or admin, got '" + scope + "'");
            };
            String key = file(this).create(s);
            out.println(key);
            err.println("Store this " + s.label() + " key now: it is not kept anywhere (only its hash, in "
                    + where(this) + ").");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {
            "List the accepted API keys: scope, the start of the hash, and where each is kept (keys are never stored)."})
    static final class ListKeys extends CommandBase implements Runnable {
        @Override
        public void run() {
            List<String[]> rows = new ArrayList<>();
            for (ApiKeyFile.Listed l : file(this).listed()) {
                rows.add(new String[] {l.key().scope().label(), l.key().hash().substring(0, 19) + "…", l.source()});
            }
            if (rows.isEmpty()) {
                out.println("No API keys: a server on 127.0.0.1 is open to this machine; create one with: "
                        + "botgate keys new [--scope use|admin]");
                return;
            }
            Table.print(out, new String[] {"SCOPE", "HASH", "KEPT IN"}, rows);
        }
    }
}
