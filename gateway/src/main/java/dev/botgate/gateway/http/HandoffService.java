package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.handoff.ConversationRef;
import dev.botgate.gateway.handoff.Handoff;
import dev.botgate.gateway.handoff.HandoffException;
import dev.botgate.gateway.handoff.Handoffs;
import dev.botgate.gateway.pipeline.MessageLog;
import dev.botgate.gateway.review.ReviewQueue;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A person in a conversation, under {@code /admin/conversations}. A conversation's id is {@code BOT:KEY} (the bot's
 * id and the conversation key shown in the message list).
 *
 * <pre>
 * curl 'localhost:8080/admin/conversations?state=handoff'                     # open handoffs, oldest first
 * curl localhost:8080/admin/conversations/support:user:zhangsan               # its state and messages
 * curl localhost:8080/admin/conversations/support:user:zhangsan/takeover -X POST
 * curl localhost:8080/admin/conversations/support:user:zhangsan/reply -d '{"text":"您好，我来帮您处理。"}'
 * curl localhost:8080/admin/conversations/support:user:zhangsan/release -X POST
 * curl localhost:8080/admin/conversations/support:user:zhangsan/messages/42/feedback -d '{"rating":"down"}'
 * </pre>
 */
public final class HandoffService implements HttpService {
    private final Handoffs handoffs;
    private final ReviewQueue review;
    private final MessageLog log;

    public HandoffService(Handoffs handoffs, ReviewQueue review, MessageLog log) {
        this.handoffs = handoffs;
        this.review = review;
        this.log = log;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
             .get("/{id}", guarded(this::conversation))
             .post("/{id}/takeover", guarded(this::takeover))
             .post("/{id}/reply", guarded(this::reply))
             .post("/{id}/release", guarded(this::release))
             .post("/{id}/messages/{mid}/feedback", guarded(this::feedback));
    }

    /** {@code ?state=handoff} lists open handoffs; anything else is the message list's (AdminService). */
    private void list(ServerRequest req, ServerResponse res) {
        Optional<String> state = req.query().first("state").asOptional();
        if (state.isEmpty()) {
            res.next();
            return;
        }
        if (!state.get().equals("handoff")) {
            throw new BadRequestException("state must be 'handoff' (open handoffs); leave it out for the messages");
        }
        List<Map<String, Object>> out = handoffs.open().stream().map(this::view).toList();
        Json.send(res, 200, Map.of("conversations", out));
    }

    private Map<String, Object> view(Handoff h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", h.conversationId());
        m.put("state", h.open() ? "handoff" : "bot");
        m.put("handoff", h);
        m.put("link", handoffs.link(h.conversationId()));
        return m;
    }

    private void conversation(ServerRequest req, ServerResponse res) {
        ConversationRef ref = ref(req);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", ref.id());
        Optional<Handoff> h = handoffs.openFor(ref);
        m.put("state", h.isPresent() ? "handoff" : "bot");
        h.ifPresent(x -> m.put("handoff", x));
        m.put("messages", log.recent(Optional.of(ref.key()), 200).stream().filter(e -> e.bot().equals(ref.bot()))
                .toList());
        Json.send(res, 200, m);
    }

    private void takeover(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, view(handoffs.takeover(ref(req))));
    }

    private void release(ServerRequest req, ServerResponse res) {
        Json.send(res, 200, view(handoffs.release(ref(req))));
    }

    private void reply(ServerRequest req, ServerResponse res) {
        ConversationRef ref = ref(req);
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        Handoffs.AgentReply r = handoffs.reply(ref, JsonFields.requiredText(body, "text"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message_id", r.messageId());
        m.put("delivered", r.delivered());
        m.put("held", !r.delivered());
        if (!r.note().isEmpty()) {
            m.put("note", r.note());
        }
        m.putAll(view(r.handoff()));
        Json.send(res, r.delivered() ? 200 : 202, m);
    }

    private void feedback(ServerRequest req, ServerResponse res) {
        ConversationRef ref = ref(req);
        long mid;
        try {
            mid = Long.parseLong(req.path().pathParameters().get("mid"));
        } catch (NumberFormatException e) {
            throw new BadRequestException("message id must be a whole number");
        }
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String rating = JsonFields.requiredText(body, "rating");
        if (!rating.equals("up") && !rating.equals("down")) {
            throw new BadRequestException("rating must be \"up\" or \"down\", got '" + rating + "'");
        }
        MessageLog.Entry e = log.get(mid).filter(x -> x.bot().equals(ref.bot()) && x.conversation().equals(ref.key()))
                .orElseThrow(() -> new BadRequestException(404, "no message " + mid + " in conversation " + ref.id()));
        review.rate(ref.bot(), ref.key(), mid, e.text(), e.answer(), rating.equals("up"));
        Json.send(res, 200, Map.of("message_id", mid, "rating", rating, "queued_for_review", rating.equals("down")));
    }

    private static ConversationRef ref(ServerRequest req) {
        return ConversationRef.parse(req.path().pathParameters().get("id"));
    }

    /** The handoff room's refusals in the API's error shape. */
    private static Handler guarded(Handler h) {
        return (req, res) -> {
            try {
                h.handle(req, res);
            } catch (HandoffException e) {
                throw new BadRequestException(e.status(), e.getMessage());
            }
        };
    }
}
