package dev.botgate.gateway.cli;

import picocli.CommandLine.Command;

/** {@code botgate health}: exit 0 when the server answers ready (for container health checks). */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Check the running server's readiness; exit status 0 when ready, 1 otherwise.")
final class HealthCommand extends CommandBase implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        try {
            var r = client().get("/health/ready");
            out.println(r.path("status").asText());
            return 0;
        } catch (CliException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
