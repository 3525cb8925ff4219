package dev.botgate.gateway.handoff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.gateway.Metrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Tells the on-call people about a handoff through the bot's webhooks, in the background: a webhook that is down
 * delays no answer. Each target is tried twice; failures are logged by kind (the URLs carry keys) and counted.
 */
public final class OnCallNotifier implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OnCallNotifier.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService sender = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("handoff-notify").daemon(true).factory());
    private final Clock clock;
    private final Metrics metrics;

    public OnCallNotifier(Clock clock, Metrics metrics) {
        this.clock = clock;
        this.metrics = metrics;
        metrics.describe("botgate_handoff_notifications_total", "handoff notifications to on-call webhooks, by "
                + "target kind and result");
    }

    /** Sends {@code text} to every target, in the background. */
    public void notify(List<NotifyTarget> targets, String text) {
        for (NotifyTarget t : targets) {
            sender.execute(() -> deliver(t, text));
        }
    }

    private void deliver(NotifyTarget target, String text) {
        String error = "";
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(target.url())
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json; charset=utf-8")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body(target, text))))
                        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                error = refusal(target, r);
                if (error.isEmpty()) {
                    metrics.inc("botgate_handoff_notifications_total", "target=\"" + target.kind()
                            + "\",result=\"sent\"", 1);
                    return;
                }
            } catch (IOException e) {
                error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        metrics.inc("botgate_handoff_notifications_total", "target=\"" + target.kind() + "\",result=\"failed\"", 1);
        LOG.log(Level.WARNING, "handoff notification to the " + target.kind() + " failed: " + error);
    }

    /** The webhook's refusal, empty when it accepted. Each platform answers 200 with its own error code. */
    private static String refusal(NotifyTarget target, HttpResponse<String> r) {
        if (r.statusCode() / 100 != 2) {
            return "HTTP " + r.statusCode();
        }
        if (target instanceof NotifyTarget.SlackWebhook) {
            return ""; // Slack answers "ok" as plain text; errors come as 4xx
        }
        try {
            JsonNode body = JSON.readTree(r.body());
            int code = target instanceof NotifyTarget.WeComWebhook ? body.path("errcode").asInt(0)
                    : body.has("code") ? body.path("code").asInt(0) : body.path("StatusCode").asInt(0);
            return code == 0 ? "" : "code " + code + " " + body.path(target instanceof NotifyTarget.WeComWebhook
                    ? "errmsg" : "msg").asText();
        } catch (IOException e) {
            return "";
        }
    }

    /** The webhook's JSON body for a plain-text message. */
    Map<String, Object> body(NotifyTarget target, String text) {
        Map<String, Object> body = new LinkedHashMap<>();
        switch (target) {
            case NotifyTarget.WeComWebhook w -> {
                body.put("msgtype", "text");
                body.put("text", Map.of("content", text));
            }
            case NotifyTarget.FeishuWebhook f -> {
                if (!f.secret().isEmpty()) {
                    long timestamp = clock.instant().getEpochSecond();
                    body.put("timestamp", Long.toString(timestamp));
                    body.put("sign", feishuSign(timestamp, f.secret()));
                }
                body.put("msg_type", "text");
                body.put("content", Map.of("text", text));
            }
            case NotifyTarget.SlackWebhook s -> body.put("text", text);
        }
        return body;
    }

    /**
     * Feishu's custom-bot signature: HmacSHA256 keyed with {@code timestamp + "\n" + secret} over empty data, in
     * Base64 (Feishu's documented scheme; the secret itself is never sent).
     */
    public static String feishuSign(long timestampSeconds, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec((timestampSeconds + "\n" + secret).getBytes(StandardCharsets.UTF_8),
                    "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(new byte[0]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
