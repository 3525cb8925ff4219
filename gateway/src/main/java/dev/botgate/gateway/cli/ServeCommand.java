package dev.botgate.gateway.cli;

import dev.botgate.gateway.Botgate;
import dev.botgate.gateway.Settings;
import dev.botgate.gateway.Wiring;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code botgate serve}. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Start the server: bots, Ollama and OpenAI APIs, knowledge bases, web console.")
final class ServeCommand extends CommandBase implements Runnable {
    @Option(names = "--host", description = "interface to bind (default from config: 127.0.0.1)")
    String host;

    @Option(names = "--port", description = "port to listen on (default from config: 8080)")
    Integer port;

    @Override
    public void run() {
        Settings settings = settings();
        if (host != null || port != null) {
            settings = settings.withListener(host != null ? host : settings.server().host(),
                    port != null ? port : settings.server().port());
        }
        // A taken port is refused before the models, indexes and bots are loaded (and before the data directory is
        // touched by a second server).
        Botgate.checkListenable(settings.server().host(), settings.server().port());
        long t0 = System.nanoTime();
        Botgate botgate = Botgate.start(Wiring.create(settings, env));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            botgate.close();
            stopped.countDown();
        }, "shutdown"));
        String url = "http://" + settings.server().host() + ":" + botgate.port();
        out.printf("Botgate listening on %s (started in %.1f s)%n", url, (System.nanoTime() - t0) / 1e9);
        out.println("  console:  " + url + "/");
        out.println("  bots:     " + String.join(", ", botgate.parts().bots().bots().keySet())
                + "   (try: ./botgate chat demo \"怎么退货？\")");
        botgate.parts().bots().problems().forEach(p -> out.println("  NOT STARTED: " + p));
        out.println("  data:     " + settings.paths().home());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
