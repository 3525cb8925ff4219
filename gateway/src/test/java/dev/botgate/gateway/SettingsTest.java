package dev.botgate.gateway;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertThrows;
import static org.testng.Assert.assertTrue;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.botgate.adapters.AdapterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testng.annotations.Test;

public class SettingsTest {
    private static Settings load(String yaml, Map<String, String> env) throws Exception {
        Path f = Files.createTempFile("cfg", ".yaml");
        Files.writeString(f, yaml);
        return Settings.from(ConfigFiles.load(Optional.of(f), env), env);
    }

    @Test
    public void defaultsAreSafeAndTheDemoBotStartsWhenNoBotsAreConfigured() throws Exception {
        Settings s = load("", Map.of());
        assertEquals(s.server().host(), "127.0.0.1", "binds loopback by default");
        assertEquals(s.server().port(), 8080);
        assertTrue(s.server().loopbackOnly());
        assertEquals(s.engine().parallelSlots(), 4);
        BotRegistry bots = BotRegistry.load(s.bots(), Map.of(), AdapterOptions.defaults(), Ticker.systemTicker());
        assertEquals(bots.bots().keySet(), java.util.Set.of("demo"));
    }

    @Test
    public void anEmptyBotListMeansNoBots() throws Exception {
        Settings s = load("bots: []\n", Map.of());
        BotRegistry bots = BotRegistry.load(s.bots(), Map.of(), AdapterOptions.defaults(), Ticker.systemTicker());
        assertTrue(bots.bots().isEmpty(), "bots: [] starts none, got " + bots.bots().keySet());
    }

    @Test
    public void environmentOverridesFileOverridesDefaults() throws Exception {
        Settings s = load("server:\n  port: 9000\nengine:\n  parallel-slots: 3\n", Map.of("ENGINE_PARALLEL_SLOTS", "6",
                "BOTGATE_HOME", "/srv/botgate"));
        assertEquals(s.server().port(), 9000);
        assertEquals(s.engine().parallelSlots(), 6, "ENGINE_PARALLEL_SLOTS wins over the file");
        assertEquals(s.paths().home(), Path.of("/srv/botgate"));
        assertEquals(s.paths().models(), Path.of("/srv/botgate/models"));
    }

    @Test
    public void badValuesNameTheirKey() throws Exception {
        ConfigException e = expectThrows(() -> load("engine:\n  parallel-slots: many\n", Map.of()));
        assertTrue(e.getMessage().startsWith("engine.parallel-slots"), e.getMessage());
        e = expectThrows(() -> load("server:\n  api-keys: [\"my-secret-key\"]\n", Map.of()));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertFalse(e.getMessage().contains("my-secret-key"), "a key put in by mistake is not echoed");
        assertThrows(ConfigException.class, () -> ConfigFiles.load(Optional.of(Path.of("/nonexistent.yaml")), Map.of()));
        e = expectThrows(() -> load("conversation:\n  answers-in-memory: 0\n", Map.of()));
        assertTrue(e.getMessage().startsWith("conversation.answers-in-memory"), e.getMessage());
        assertEquals(load("", Map.of()).conversation().answersInMemory(), 1000, "the documented default");
    }

    @Test
    public void scopedKeysImportRootsAndEngineLimitsAreRead() throws Exception {
        String hash = "sha256:" + "ab".repeat(32);
        Settings s = load("server:\n  api-keys: [\"use:" + hash + "\", \"admin:" + hash + "\", \"" + hash + "\"]\n"
                + "knowledge:\n  import-roots: [\"/srv/docs\"]\nengine:\n  max-turns: 50\n", Map.of());
        assertEquals(s.server().apiKeyHashes().size(), 3, "a scope prefix, or none (admin), is accepted");
        assertEquals(s.knowledge().importRoots(), List.of(Path.of("/srv/docs")));
        assertEquals(s.engine().maxTurns(), 50);
        assertEquals(load("", Map.of()).knowledge().importRoots(), List.of(), "none by default");
        assertEquals(load("", Map.of()).engine().numPredict(), 1024, "the documented default");
        ConfigException e = expectThrows(() -> load("knowledge:\n  import-roots: [\"docs\"]\n", Map.of()));
        assertTrue(e.getMessage().startsWith("knowledge.import-roots"), e.getMessage());
        e = expectThrows(() -> load("server:\n  api-keys: [\"root:" + hash + "\"]\n", Map.of()));
        assertTrue(e.getMessage().contains("[use:|admin:]sha256"), e.getMessage());
    }

    @Test
    public void aBadBotIsReportedWithItsKeyAndTheOthersStart() throws Exception {
        String yaml = """
                bots:
                  - id: good
                    channel: local
                  - id: wc
                    channel: wecom
                    wecom: { corp-id: ww1, agent-id: "1", secret: "${WECOM_SECRET}", token: t, encoding-aes-key: short }
                  - id: sl
                    channel: slack
                    slack: { signing-secret: "${MISSING_SECRET}", bot-token: xoxb-1 }
                  - id: Bad Id
                    channel: local
                  - id: fs
                    channel: telegram
                """;
        Settings s = load(yaml, Map.of("WECOM_SECRET", "s3cret-value"));
        BotRegistry bots = BotRegistry.load(s.bots(), Map.of("WECOM_SECRET", "s3cret-value"), AdapterOptions.defaults(),
                Ticker.systemTicker());
        assertEquals(bots.bots().keySet(), java.util.Set.of("good"));
        String problems = String.join("\n", bots.problems());
        assertTrue(problems.contains("bots[1].wecom.encoding-aes-key"), problems);
        assertTrue(problems.contains("bots[2].slack.signing-secret: environment variable MISSING_SECRET is not set"),
                problems);
        assertTrue(problems.contains("bots[3].id"), problems);
        assertTrue(problems.contains("bots[4].channel"), problems);
        assertFalse(problems.contains("s3cret-value"), "secrets never appear in problems");
    }

    @Test
    public void everyShippedPlatformExampleStartsItsBots() throws Exception {
        java.util.regex.Pattern var = java.util.regex.Pattern.compile("\\$\\{([A-Z0-9_]+)}");
        for (String name : java.util.List.of("wecom", "slack", "wechat", "feishu")) {
            Path file = Path.of("..", "config", "examples", name + ".yaml");
            String text = Files.readString(file);
            Map<String, String> env = new java.util.HashMap<>();
            var m = var.matcher(text);
            while (m.find()) {
                String v = m.group(1).contains("AES") ? "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
                        : m.group(1).contains("BOT_TOKEN") ? "xoxb-123-456-abc"
                        : "value" + m.group(1).toLowerCase(java.util.Locale.ROOT).replace("_", "");
                env.put(m.group(1), v);
            }
            Settings s = Settings.from(ConfigFiles.load(Optional.of(file), env), env);
            BotRegistry bots = BotRegistry.load(s.bots(), env, AdapterOptions.defaults(), Ticker.systemTicker());
            assertTrue(bots.problems().isEmpty(), name + ".yaml: " + bots.problems());
            assertFalse(bots.adapters().isEmpty(), name + ".yaml declares a platform bot");
            bots.adapters().values().forEach(a -> {
                try {
                    a.close();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    private interface Load {
        Settings run() throws Exception;
    }

    private static ConfigException expectThrows(Load l) {
        try {
            l.run();
        } catch (ConfigException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("expected ConfigException, got " + e, e);
        }
        throw new AssertionError("expected ConfigException");
    }
}
