package dev.botgate.gateway.cli;

import dev.botgate.backend.engine.EngineException;
import dev.botgate.gateway.ConfigException;
import dev.botgate.gateway.Version;
import dev.botgate.knowledge.index.KnowledgeException;
import dev.botgate.knowledge.ingest.IngestException;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code botgate} command and its subcommands. */
@Command(name = "botgate", mixinStandardHelpOptions = true, versionProvider = BotgateCommand.VersionInfo.class,
        description = {"Botgate: a self-hosted chat-platform bot gateway with local models and knowledge bases.", "",
                "The CLI talks to a running server (BOTGATE_HOST, default 127.0.0.1:8080; BOTGATE_API_KEY if it needs "
                        + "one). Without one, pull, list, rm and kb work on the data directory (BOTGATE_HOME, default "
                        + "~/.botgate) directly."},
        subcommands = {ServeCommand.class, ModelCommands.Pull.class, ModelCommands.Create.class,
                ModelCommands.ListModels.class, ModelCommands.Show.class, ModelCommands.Remove.class,
                ModelCommands.Ps.class, RunCommand.class, ChatCommand.class, KbCommand.class, KeysCommand.class,
                HealthCommand.class, ModelCommands.VersionCommand.class})
public final class BotgateCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line; returns the exit status. Errors print their message, never a stack trace. */
    public static int run(String[] args, Map<String, String> env) {
        CommandLine cli = new CommandLine(new BotgateCommand(), new Factory(env));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CliException || e instanceof ConfigException || e instanceof EngineException
                    || e instanceof KnowledgeException || e instanceof IngestException
                    || e instanceof IllegalArgumentException) {
                cmd.getErr().println("Error: " + e.getMessage());
                return 1;
            }
            cmd.getErr().println("Error: " + e + " (this is a bug; please report it with the command you ran)");
            e.printStackTrace(cmd.getErr());
            return 2;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Version for {@code --version}. */
    static final class VersionInfo implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"botgate version " + Version.current()};
        }
    }

    /** Gives commands the process environment (tests pass their own). */
    static final class Factory implements CommandLine.IFactory {
        private final Map<String, String> env;

        Factory(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public <K> K create(Class<K> cls) throws Exception {
            K k = CommandLine.defaultFactory().create(cls);
            if (k instanceof EnvAware a) {
                a.env(env);
            }
            return k;
        }
    }

    /** Commands that read the environment. */
    interface EnvAware {
        void env(Map<String, String> env);
    }
}
