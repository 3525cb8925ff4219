package dev.botgate.gateway.cli;

import dev.botgate.gateway.ConfigFiles;
import dev.botgate.gateway.Settings;
import io.helidon.config.Config;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/** What every subcommand shares: the environment, the server client, the settings. */
abstract class CommandBase implements BotgateCommand.EnvAware {
    @Option(names = "--config", paramLabel = "FILE", description = "configuration file (YAML) over the defaults")
    Path configFile;

    Map<String, String> env = Map.of();
    final PrintStream out = System.out;
    final PrintStream err = System.err;

    @Override
    public void env(Map<String, String> env) {
        this.env = env;
    }

    ApiClient client() {
        return ApiClient.fromEnv(env);
    }

    Settings settings() {
        Config config = ConfigFiles.load(Optional.ofNullable(configFile), env);
        return Settings.from(config, env);
    }
}
