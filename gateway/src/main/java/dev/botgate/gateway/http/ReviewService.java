package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.gateway.review.Resolution;
import dev.botgate.gateway.review.ReviewException;
import dev.botgate.gateway.review.ReviewQueue;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * The review queue under {@code /admin/review}: questions the bot fell back on, answers an operator rated down, and
 * handoffs, grouped by similar question; each group is resolved in one step.
 *
 * <pre>
 * curl localhost:8080/admin/review                        # open groups, oldest first, with suggested entries
 * curl 'localhost:8080/admin/review?status=resolved'
 * curl localhost:8080/admin/review/3/resolve -d '{"action":"attach","base":"faq","chunk_id":"9f2c…#4"}'
 * curl localhost:8080/admin/review/4/resolve -d '{"action":"new-entry","base":"faq","answer":"…"}'
 * curl localhost:8080/admin/review/5/resolve -d '{"action":"dismiss","note":"spam"}'
 * </pre>
 */
public final class ReviewService implements HttpService {
    private final ReviewQueue review;

    public ReviewService(ReviewQueue review) {
        this.review = review;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::list)
             .post("/{id}/resolve", this::resolve);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String status = req.query().first("status").asOptional().orElse("open");
        int limit;
        try {
            limit = req.query().first("limit").asOptional().map(Integer::parseInt).orElse(100);
        } catch (NumberFormatException e) {
            throw new BadRequestException("limit must be a whole number");
        }
        if (limit < 1 || limit > 1000) {
            throw new BadRequestException("limit must be 1..1000");
        }
        try {
            Json.send(res, 200, Map.of("groups", review.list(status, limit)));
        } catch (ReviewException e) {
            throw new BadRequestException(e.status(), e.getMessage());
        }
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        long id;
        try {
            id = Long.parseLong(req.path().pathParameters().get("id"));
        } catch (NumberFormatException e) {
            throw new BadRequestException("review item id must be a whole number");
        }
        JsonNode body = Json.parseObject(req.content().as(byte[].class));
        String action = JsonFields.requiredText(body, "action");
        Resolution r = switch (action) {
            case "attach" -> new Resolution.Attach(JsonFields.text(body, "base", ""),
                    JsonFields.requiredText(body, "chunk_id"));
            case "new-entry" -> new Resolution.NewEntry(JsonFields.text(body, "base", ""),
                    JsonFields.text(body, "question", ""), JsonFields.requiredText(body, "answer"));
            case "dismiss" -> new Resolution.Dismiss(JsonFields.text(body, "note", ""));
            default -> throw new BadRequestException("action must be attach, new-entry or dismiss, got '" + action
                    + "'");
        };
        try {
            Json.send(res, 200, review.resolve(id, r));
        } catch (ReviewException e) {
            throw new BadRequestException(e.status(), e.getMessage());
        }
    }
}
