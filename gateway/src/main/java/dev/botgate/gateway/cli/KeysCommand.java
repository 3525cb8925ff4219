package dev.botgate.gateway.cli;

import dev.botgate.gateway.ApiKeyFile;
import picocli.CommandLine.Command;

/** {@code botgate keys new}: create an API key. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage API keys.",
        subcommands = KeysCommand.New.class)
final class KeysCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(name = "new", mixinStandardHelpOptions = true, description = {
            "Create an API key: prints it once and stores only its SHA-256 hash in $BOTGATE_HOME/api-keys.",
            "Clients send it as 'Authorization: Bearer KEY'; the CLI reads it from BOTGATE_API_KEY."})
    static final class New extends CommandBase implements Runnable {
        @Override
        public void run() {
            var settings = settings();
            String key = new ApiKeyFile(settings.paths().home().resolve("api-keys"), settings.server().apiKeyHashes())
                    .create();
            out.println(key);
            err.println("Store this key now: it is not kept anywhere (only its hash, in "
                    + settings.paths().home().resolve("api-keys") + ").");
        }
    }
}
