package dev.botgate.gateway.http;

import dev.botgate.adapters.CallbackRequest;
import dev.botgate.adapters.CallbackResult;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.HttpReply;
import dev.botgate.gateway.Metrics;
import dev.botgate.gateway.pipeline.InboundDispatcher;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Platform callbacks: {@code GET|POST /hooks/{channel}/{bot}}. The bot's adapter verifies and decodes the raw
 * request; the dispatcher records and acknowledges it. Refusals are logged with their reason, never with the body.
 *
 * <pre>curl -X POST 'localhost:8080/hooks/slack/support' -H 'X-Slack-Signature: v0=…' -d @event.json</pre>
 */
public final class HooksService implements HttpService {
    private static final System.Logger LOG = System.getLogger(HooksService.class.getName());
    private final Map<String, ChannelAdapter> adapters;
    private final InboundDispatcher dispatcher;
    private final Metrics metrics;
    private final Clock clock;

    /** @param adapters by bot id */
    public HooksService(Map<String, ChannelAdapter> adapters, InboundDispatcher dispatcher, Metrics metrics,
                        Clock clock) {
        this.adapters = java.util.Collections.unmodifiableMap(adapters);   // live: console bots come and go
        this.dispatcher = dispatcher;
        this.metrics = metrics;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{channel}/{bot}", this::hook)
             .post("/{channel}/{bot}", this::hook);
    }

    private void hook(ServerRequest req, ServerResponse res) {
        long received = System.nanoTime();
        String channel = req.path().pathParameters().get("channel");
        String botId = req.path().pathParameters().get("bot");
        ChannelAdapter adapter = adapters.get(botId);
        if (adapter == null || !adapter.channel().id().equals(channel)) {
            HttpErrors.send(req, res, 404, "no " + channel + " bot '" + botId + "' is configured here; check the "
                    + "callback URL in the platform's console (/hooks/<channel>/<bot-id>)");
            return;
        }
        Map<String, String> query = new LinkedHashMap<>();
        req.query().names().forEach(n -> query.put(n, req.query().get(n)));
        Map<String, String> headers = new LinkedHashMap<>();
        req.headers().forEach(h -> headers.put(h.name(), h.get()));
        byte[] body = req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
        CallbackRequest callback = new CallbackRequest(req.prologue().method().text(), query, headers, body,
                clock.instant());
        CallbackResult result = adapter.handle(callback);
        HttpReply reply = switch (result) {
            case CallbackResult.Reply r -> {
                if (r.refused()) {
                    metrics.inc("botgate_hooks_refused_total", "channel=\"" + channel + "\",status=\""
                            + r.response().status() + "\"", 1);
                    LOG.log(Level.WARNING, channel + "/" + botId + " callback refused (" + r.response().status()
                            + "): " + r.reason());
                }
                yield r.response();
            }
            case CallbackResult.Inbound in -> adapter.acknowledge(in, dispatcher.dispatch(adapter, in));
        };
        res.status(Status.create(reply.status()));
        if (!reply.contentType().isEmpty()) {
            res.header(HeaderNames.CONTENT_TYPE, reply.contentType());
        }
        res.send(reply.body());
        metrics.histogram("botgate_callback_seconds", "channel=\"" + adapter.channel().id() + "\"",
                (System.nanoTime() - received) / 1e9);
    }
}
