package dev.botgate.gateway;

import dev.botgate.gateway.cli.BotgateCommand;

/** {@code botgate}: the command line, and {@code botgate serve}, the server. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Before anything logs: the first logger a library creates would otherwise fix JUL's two-line default.
        Logging.configure(System.getenv());
        System.exit(BotgateCommand.run(args, System.getenv()));
    }
}
