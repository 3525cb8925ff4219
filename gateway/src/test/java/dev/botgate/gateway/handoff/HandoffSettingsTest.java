package dev.botgate.gateway.handoff;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import dev.botgate.gateway.ConfigException;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import java.time.Duration;
import java.util.Map;
import org.testng.annotations.Test;

/** The {@code handoff:} block as the issue writes it, and each mistake reported with its key. */
public class HandoffSettingsTest {
    private static HandoffSettings read(String yaml, Map<String, String> env) {
        Config c = Config.just(yaml, MediaTypes.APPLICATION_X_YAML);
        return HandoffSettings.read(c.get("handoff"), "bots[0].handoff", env);
    }

    @Test
    public void theIssuesBlockReadsWithSecretsFromTheEnvironment() {
        HandoffSettings s = read("""
                handoff:
                  keywords: [转人工, 人工客服, Human]
                  after-fallbacks: 3
                  notify:
                    - wecom-webhook: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${KEY}"
                    - feishu-webhook: "https://open.feishu.cn/open-apis/bot/v2/hook/abc"
                      secret: "${FEISHU_BOT_SECRET}"
                    - slack-webhook: "https://hooks.slack.com/services/T/B/X"
                  resume-after: PT30M
                """, Map.of("KEY", "k-123", "FEISHU_BOT_SECRET", "s3cret"));
        assertEquals(s.keywords(), java.util.List.of("转人工", "人工客服", "human"));
        assertEquals(s.afterFallbacks(), 3);
        assertEquals(s.resumeAfter(), Duration.ofMinutes(30));
        assertEquals(s.targets().size(), 3);
        assertEquals(s.targets().get(0).url().toString(), "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123");
        assertEquals(((NotifyTarget.FeishuWebhook) s.targets().get(1)).secret(), "s3cret");
        assertFalse(s.targets().toString().contains("k-123") || s.targets().toString().contains("s3cret"),
                "keys and secrets stay out of anything that might be logged: " + s.targets());
        assertTrue(s.asksForPerson("我要找HUMAN"), "keywords match case-insensitively");
        assertTrue(s.reachable());
    }

    @Test
    public void withoutABlockNoPersonIsReachable() {
        HandoffSettings s = read("other: 1\n", Map.of());
        assertEquals(s.afterFallbacks(), 2, "the issue's default");
        assertFalse(s.reachable(), "no target, no promise");
        assertTrue(s.asksForPerson("转人工"), "asking is still recognised (to say no one is there)");
    }

    @Test
    public void mistakesNameTheirKey() {
        assertTrue(expectThrows(ConfigException.class, () -> read("handoff:\n  resume-after: 30m\n", Map.of()))
                .getMessage().startsWith("bots[0].handoff.resume-after"));
        assertTrue(expectThrows(ConfigException.class, () -> read("handoff:\n  after-fallbacks: -1\n", Map.of()))
                .getMessage().startsWith("bots[0].handoff.after-fallbacks"));
        assertTrue(expectThrows(ConfigException.class, () -> read("""
                handoff:
                  notify:
                    - wecom-webhook: "https://a"
                      slack-webhook: "https://b"
                """, Map.of())).getMessage().startsWith("bots[0].handoff.notify[0]"));
        String bad = expectThrows(ConfigException.class, () -> read("""
                handoff:
                  notify:
                    - slack-webhook: "ftp://hooks.example/KEY-SECRET"
                """, Map.of())).getMessage();
        assertTrue(bad.startsWith("bots[0].handoff.notify[0].slack-webhook"), bad);
        assertFalse(bad.contains("KEY-SECRET"), "the URL (which carries the key) is not repeated: " + bad);
        assertTrue(expectThrows(ConfigException.class, () -> read("""
                handoff:
                  notify:
                    - slack-webhook: "https://hooks.example/x"
                      secret: "s"
                """, Map.of())).getMessage().contains("only a feishu-webhook is signed"));
    }

    @Test
    public void aBotWithABadBlockIsReportedAndTheOthersStart() {
        Config c = Config.just("""
                bots:
                  - id: broken
                    channel: local
                    handoff: { resume-after: soon }
                  - id: fine
                    channel: local
                    handoff: { after-fallbacks: 3 }
                """, MediaTypes.APPLICATION_X_YAML);
        dev.botgate.gateway.BotRegistry bots = dev.botgate.gateway.BotRegistry.load(c.get("bots"), Map.of(),
                dev.botgate.adapters.AdapterOptions.defaults(),
                com.github.benmanes.caffeine.cache.Ticker.systemTicker());
        assertEquals(bots.problems().size(), 1, bots.problems().toString());
        assertTrue(bots.problems().getFirst().startsWith("bots[0].handoff.resume-after"), bots.problems().toString());
        assertEquals(bots.bots().keySet(), java.util.Set.of("fine"));
        assertEquals(bots.handoffs().get("fine").afterFallbacks(), 3);
    }

    @Test
    public void feishuSignatureMatchesFeishusDocumentedExample() throws Exception {
        // Feishu's scheme computed independently: HmacSHA256 keyed with "timestamp\nsecret" over no data, Base64.
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec("1599360473\ndemo".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                "HmacSHA256"));
        String expected = java.util.Base64.getEncoder().encodeToString(mac.doFinal());
        assertEquals(OnCallNotifier.feishuSign(1599360473L, "demo"), expected);
        assertEquals(OnCallNotifier.feishuSign(1599360473L, "demo").length(), 44, "a Base64 SHA-256 digest");
    }
}
