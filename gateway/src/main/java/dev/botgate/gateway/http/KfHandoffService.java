package dev.botgate.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.ChannelAdapter;
import dev.botgate.adapters.SendException;
import dev.botgate.adapters.wecomkf.WeComKfAdapter;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The channel side of a 微信客服 handoff, for operators and the handoff console to come: read a customer's session
 * state ({@code kf/service_state/get}) and hand the session to a servicer or the pool ({@code kf/service_state/trans});
 * the bot stays silent while a human holds the session and answers again when it ends.
 *
 * <pre>
 * curl localhost:8080/admin/kf/kf-support/sessions/wkAAA/wmBBB
 * curl -X POST localhost:8080/admin/kf/kf-support/sessions/wkAAA/wmBBB/transfer -d '{"servicer":"zhangsan"}'
 * </pre>
 */
public final class KfHandoffService implements HttpService {
    private final Map<String, ChannelAdapter> adapters;

    /** @param adapters by bot id; only the 微信客服 ones are served */
    public KfHandoffService(Map<String, ChannelAdapter> adapters) {
        this.adapters = Map.copyOf(adapters);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/{bot}/sessions/{kf}/{customer}", this::state)
             .post("/{bot}/sessions/{kf}/{customer}/transfer", this::transfer);
    }

    private WeComKfAdapter adapter(ServerRequest req) {
        String bot = req.path().pathParameters().get("bot");
        if (!(adapters.get(bot) instanceof WeComKfAdapter kf)) {
            throw new BadRequestException(404, "no wecom-kf bot '" + bot + "' is configured here");
        }
        return kf;
    }

    private void state(ServerRequest req, ServerResponse res) {
        WeComKfAdapter kf = adapter(req);
        String account = req.path().pathParameters().get("kf");
        String customer = req.path().pathParameters().get("customer");
        try {
            WeComKfAdapter.KfServiceState s = kf.serviceState(account, customer);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("state", s.state());
            out.put("servicer", s.servicerUserId());
            out.put("bot_answers", s.botAnswers());
            Json.send(res, 200, out);
        } catch (SendException e) {
            throw new BadRequestException(502, e.getMessage());
        }
    }

    private void transfer(ServerRequest req, ServerResponse res) {
        WeComKfAdapter kf = adapter(req);
        String account = req.path().pathParameters().get("kf");
        String customer = req.path().pathParameters().get("customer");
        Optional<String> servicer = Optional.empty();
        if (req.content().hasEntity()) {
            byte[] body = req.content().as(byte[].class);
            if (body.length > 0) {
                JsonNode n = Json.parseObject(body);
                servicer = Optional.of(n.path("servicer").asText("")).filter(s -> !s.isBlank());
            }
        }
        try {
            kf.transfer(account, customer, servicer);
        } catch (SendException e) {
            throw new BadRequestException(502, e.getMessage());
        }
        Json.send(res, 200, Map.of("transferred", true, "to", servicer.orElse("pool")));
    }
}
