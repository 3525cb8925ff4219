package dev.botgate.gateway.handoff;

import static dev.botgate.gateway.TestGateway.waitFor;
import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.adapters.PlatformFixture;
import dev.botgate.adapters.SignedCallback;
import dev.botgate.adapters.feishu.FeishuFixture;
import dev.botgate.adapters.slack.SlackFixture;
import dev.botgate.adapters.wechat.WeChatFixture;
import dev.botgate.adapters.wecom.WeComFixture;
import dev.botgate.gateway.TestGateway;
import dev.botgate.gateway.http.Json;
import dev.botgate.gateway.pipeline.MessageLog;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.testng.annotations.AfterClass;
import org.testng.annotations.BeforeClass;
import org.testng.annotations.Test;

/**
 * Humans in the loop, end to end over real HTTP: signed platform callbacks to a running gateway, the platforms' send
 * APIs and the on-call webhooks played by local fakes. Handoff by keyword and by repeated fallbacks (WeCom, Slack),
 * the notifications (Feishu's signature checked), the bot's silence, the agent's reply through the channel, release,
 * resume after agent silence, an unverified Official Account's held reply, a handoff surviving a restart, and the
 * review loop (fallback → queue → attach → answered directly).
 */
public class HumansInTheLoopTest {
    private static final String HANDED = "已为您转接人工客服";
    private static final String RESUMED = "人工客服已结束本次服务";
    private static final String FEISHU_SECRET = "feishu-bot-secret";
    private final WeComFixture wecom = new WeComFixture();
    private final SlackFixture slack = new SlackFixture();
    private final WeChatFixture oa = new WeChatFixture(false);
    private final WeChatFixture verifiedOa = new WeChatFixture(true);
    private final FeishuFixture feishu = new FeishuFixture();
    private final AtomicLong ids = new AtomicLong(5000);
    private FakeWebhooks hooks;
    private TestGateway gw;
    private Path home;

    @BeforeClass
    public void start() throws Exception {
        hooks = new FakeWebhooks();
        home = Files.createTempDirectory("humans");
        gw = TestGateway.startIn(home, config(), Map.of("FEISHU_BOT_SECRET", FEISHU_SECRET));
        assertEquals(gw.post("/admin/kb", "{\"name\":\"faq\"}").statusCode(), 201);
        Path csv = Files.createTempFile("faq", ".csv");
        Files.writeString(csv, """
                question,answer
                发票怎么开？,在订单页点击申请发票，电子发票发到邮箱。
                怎么退货？,收到商品7天内可在订单页申请退货。
                """, StandardCharsets.UTF_8);
        String id = Json.MAPPER.readTree(gw.post("/admin/kb/faq/import", "{\"paths\":[\"" + csv + "\"]}").body())
                .path("id").asText();
        waitFor(() -> gw.get("/admin/kb/jobs/" + id).body().contains("\"done\""), "import finished");
    }

    private String config() {
        String notifyAll = """
                      notify:
                        - wecom-webhook: "%s"
                        - feishu-webhook: "%s"
                          secret: "${FEISHU_BOT_SECRET}"
                        - slack-webhook: "%s"
                """.formatted(hooks.url("/wecom") + "?key=k1", hooks.url("/feishu"), hooks.url("/slack"));
        return "bots:\n"
                + bot("desk", "wecom", wecom, "    handoff:\n      keywords: [转人工, 人工客服]\n"
                        + "      after-fallbacks: 2\n" + notifyAll + "      resume-after: PT1H\n")
                + bot("team", "slack", slack, "    handoff:\n      notify:\n        - slack-webhook: \""
                        + hooks.url("/slack") + "\"\n")
                + bot("quick", "wecom", wecom, "    handoff:\n      notify:\n        - wecom-webhook: \""
                        + hooks.url("/wecom") + "\"\n      resume-after: PT1S\n")
                + bot("oa", "wechat", oa, "    handoff:\n      notify:\n        - wecom-webhook: \""
                        + hooks.url("/wecom") + "\"\n")
                + bot("alone", "wecom", wecom, "")
                + bot("fs", "feishu", feishu, "    handoff:\n      notify:\n        - slack-webhook: \""
                        + hooks.url("/slack") + "\"\n")
                + bot("oa-verified", "wechat", verifiedOa, "    handoff:\n      notify:\n        - slack-webhook: \""
                        + hooks.url("/slack") + "\"\n");
    }

    private static String bot(String id, String channel, PlatformFixture f, String extra) {
        String block = f.settings().entrySet().stream()
                .map(e -> e.getKey() + ": \"" + e.getValue().replace("\"", "\\\"") + "\"")
                .collect(Collectors.joining(", "));
        return "  - id: " + id + "\n    channel: " + channel + "\n    knowledge: [faq]\n    fallback: \"不知道\"\n    "
                + channel + ": {" + block + "}\n" + extra;
    }

    @AfterClass(alwaysRun = true)
    public void stop() throws Exception {
        if (gw != null) {
            gw.close();
        }
        if (hooks != null) {
            hooks.close();
        }
        wecom.close();
        slack.close();
        oa.close();
        verifiedOa.close();
        feishu.close();
    }

    private HttpResponse<String> post(TestGateway g, String channel, String bot, SignedCallback c) {
        String q = c.query().isEmpty() ? "" : "?" + c.queryString();
        HttpRequest.Builder b = HttpRequest.newBuilder(g.uri("/hooks/" + channel + "/" + bot + q))
                .method(c.method(), HttpRequest.BodyPublishers.ofByteArray(c.body()));
        c.headers().forEach((k, v) -> {
            if (!k.equalsIgnoreCase("content-length") && !k.equalsIgnoreCase("host")) {
                b.header(k, v);
            }
        });
        HttpResponse<String> r = g.send(b.build());
        assertEquals(r.statusCode(), 200, r.body());
        return r;
    }

    /** Sends a WeCom message and waits until its record is finished. */
    private void wecomSays(TestGateway g, String bot, String user, String text) throws InterruptedException {
        long id = ids.incrementAndGet();
        post(g, "wecom", bot, wecom.callbacks().text(user, text, id, Instant.now()));
        waitFor(() -> g.botgate().parts().log().recent(Optional.empty(), 500).stream()
                .anyMatch(e -> e.platformId().equals(Long.toString(id)) && e.state() == MessageLog.State.ANSWERED),
                "the message '" + text + "' is answered or recorded silent");
    }

    private List<String> wecomTo(String user) {
        return wecom.api().textsTo(user);
    }

    private List<String> openHandoffs(TestGateway g) throws Exception {
        JsonNode list = Json.MAPPER.readTree(g.get("/admin/conversations?state=handoff").body());
        return java.util.stream.StreamSupport.stream(list.path("conversations").spliterator(), false)
                .map(c -> c.path("id").asText()).toList();
    }

    @Test
    public void aKeywordHandsTheConversationOverAndTheAgentAnswersOnWeCom() throws Exception {
        wecomSays(gw, "desk", "zhang", "我要转人工");
        assertTrue(wecomTo("zhang").getLast().startsWith(HANDED), "the user is told: " + wecomTo("zhang"));
        assertTrue(openHandoffs(gw).contains("desk:user:zhang"), "listed as an open handoff");

        waitFor(() -> hooks.texts("/wecom").stream().anyMatch(t -> t.contains("我要转人工"))
                && hooks.texts("/feishu").stream().anyMatch(t -> t.contains("我要转人工"))
                && hooks.texts("/slack").stream().anyMatch(t -> t.contains("我要转人工")), "all three targets told");
        String note = hooks.texts("/wecom").stream().filter(t -> t.contains("我要转人工")).findFirst().orElseThrow();
        assertTrue(note.contains("zhang"), "the notification names the user: " + note);
        assertTrue(note.contains(gw.uri("/#/conversations/desk%3Auser%3Azhang").toString()),
                "and links to the conversation on this server: " + note);
        assertEquals(hooks.received("/wecom").stream().filter(r -> r.body().toString().contains("我要转人工"))
                .findFirst().orElseThrow().query(), "key=k1", "the robot's key travels in the URL as configured");
        JsonNode feishu = hooks.received("/feishu").stream().filter(r -> r.body().toString().contains("我要转人工"))
                .findFirst().orElseThrow().body();
        long ts = Long.parseLong(feishu.path("timestamp").asText());
        assertTrue(Math.abs(ts - Instant.now().getEpochSecond()) < 60, "a current timestamp: " + feishu);
        assertEquals(feishu.path("sign").asText(), OnCallNotifier.feishuSign(ts, FEISHU_SECRET),
                "Feishu's signature: HmacSHA256 keyed with timestamp\\nsecret over empty data");
        assertEquals(feishu.path("msg_type").asText(), "text");

        int sent = wecomTo("zhang").size();
        wecomSays(gw, "desk", "zhang", "发票怎么开");
        Thread.sleep(300); // a send would follow the record's update at once
        assertEquals(wecomTo("zhang").size(), sent, "the bot stays silent while a person holds the conversation");
        JsonNode conv = Json.MAPPER.readTree(gw.get("/admin/conversations/desk:user:zhang").body());
        assertEquals(conv.path("state").asText(), "handoff");
        assertTrue(conv.path("messages").toString().contains("发票怎么开"), "the user's message is recorded: " + conv);

        HttpResponse<String> reply = gw.post("/admin/conversations/desk:user:zhang/reply",
                "{\"text\":\"您好，我是客服小王，请问订单号是多少？\"}");
        assertEquals(reply.statusCode(), 200, reply.body());
        assertTrue(Json.MAPPER.readTree(reply.body()).path("delivered").asBoolean(), reply.body());
        assertEquals(wecomTo("zhang").getLast(), "您好，我是客服小王，请问订单号是多少？",
                "the agent's reply went out through WeCom message/send");

        HttpResponse<String> released = gw.post("/admin/conversations/desk:user:zhang/release", "{}");
        assertEquals(released.statusCode(), 200, released.body());
        assertTrue(wecomTo("zhang").getLast().startsWith(RESUMED), "the user is told the bot is back");
        assertFalse(openHandoffs(gw).contains("desk:user:zhang"), "no longer listed");
        wecomSays(gw, "desk", "zhang", "发票怎么开");
        assertTrue(wecomTo("zhang").getLast().startsWith("在订单页点击申请发票"), "the bot answers again: "
                + wecomTo("zhang").getLast());
        assertEquals(gw.post("/admin/conversations/desk:user:zhang/release", "{}").statusCode(), 409,
                "releasing twice is a conflict");
    }

    @Test
    public void repeatedFallbacksHandOverOnWeCom() throws Exception {
        wecomSays(gw, "desk", "li", "你们老板叫什么名字");
        assertEquals(wecomTo("li").getLast(), "不知道", "one fallback is just the fallback");
        wecomSays(gw, "desk", "li", "火星上能送货吗");
        assertTrue(wecomTo("li").getLast().startsWith(HANDED), "the second in a row hands over: " + wecomTo("li"));
        assertTrue(openHandoffs(gw).contains("desk:user:li"));
        waitFor(() -> hooks.texts("/slack").stream().anyMatch(t -> t.contains("火星上能送货吗")
                && t.contains("你们老板叫什么名字")), "the notification carries the question and the last turns");
    }

    @Test
    public void repeatedFallbacksHandOverInASlackThreadAndTheAgentAnswersThere() throws Exception {
        String bot = "<@" + SlackFixture.BOT_USER_ID + "> ";
        int before = slack.api().posted().size();
        post(gw, "slack", "team", slack.callbacks().appMention("EvH1", "C7", "U9", bot + "how tall is the moon",
                "1700000100.000100", "", Instant.now()));
        waitFor(() -> slack.api().posted().size() == before + 1, "first fallback posted");
        post(gw, "slack", "team", slack.callbacks().appMention("EvH2", "C7", "U9", bot + "who painted it",
                "1700000100.000200", "1700000100.000100", Instant.now()));
        waitFor(() -> slack.api().posted().size() == before + 2, "second answer posted");
        JsonNode handed = slack.api().posted().getLast();
        assertTrue(handed.path("text").asText().contains("A colleague has been notified"), handed.toString());
        assertTrue(openHandoffs(gw).contains("team:C7:U9"), "the Slack conversation is handed off");
        waitFor(() -> hooks.texts("/slack").stream().anyMatch(t -> t.contains("who painted it")), "on-call told");

        HttpResponse<String> r = gw.post("/admin/conversations/team:C7:U9/reply", "{\"text\":\"Hi, Anna here.\"}");
        assertEquals(r.statusCode(), 200, r.body());
        JsonNode agent = slack.api().posted().getLast();
        assertEquals(agent.path("text").asText(), "Hi, Anna here.");
        assertEquals(agent.path("channel").asText(), "C7");
        assertEquals(agent.path("thread_ts").asText(), "1700000100.000100", "in the conversation's thread");
    }

    @Test
    public void anAgentReplyGoesOutThroughFeishuAndAVerifiedOfficialAccount() throws Exception {
        record Case(String channel, String bot, PlatformFixture f, String conversation) {
        }
        for (Case c : List.of(new Case("feishu", "fs", feishu, "fs:oc_p2p_ou_chen"),
                new Case("wechat", "oa-verified", verifiedOa, "oa-verified:user:o_chen"))) {
            String user = c.channel().equals("feishu") ? "ou_chen" : "o_chen";
            post(gw, c.channel(), c.bot(), c.f().text(user, "转人工", ids.incrementAndGet(), Instant.now()));
            waitFor(() -> c.f().delivered().stream().anyMatch(t -> t.startsWith(HANDED)), c.channel()
                    + ": the handoff text is sent");
            assertTrue(openHandoffs(gw).contains(c.conversation()), c.channel() + ": " + openHandoffs(gw));
            HttpResponse<String> r = gw.post("/admin/conversations/" + c.conversation() + "/reply",
                    "{\"text\":\"您好，我是客服小陈。\"}");
            assertEquals(r.statusCode(), 200, c.channel() + ": " + r.body());
            assertEquals(c.f().delivered().getLast(), "您好，我是客服小陈。", c.channel() + ": sent through its API");
        }
    }

    @Test
    public void withoutANotifyTargetNoPersonIsPromised() throws Exception {
        wecomSays(gw, "alone", "wang", "转人工");
        assertTrue(wecomTo("wang").getLast().startsWith("抱歉，这里暂时没有人工客服"), wecomTo("wang").toString());
        wecomSays(gw, "alone", "wang", "火星上能送货吗");
        wecomSays(gw, "alone", "wang", "月亮上能送货吗");
        assertEquals(wecomTo("wang").getLast(), "不知道", "fallbacks stay fallbacks");
        assertFalse(openHandoffs(gw).stream().anyMatch(id -> id.startsWith("alone:")), "nothing handed off");
    }

    @Test
    public void theBotResumesAfterAgentSilenceAndSaysSo() throws Exception {
        wecomSays(gw, "quick", "zhao", "人工客服");
        assertTrue(wecomTo("zhao").getLast().startsWith(HANDED));
        waitFor(() -> wecomTo("zhao").getLast().startsWith(RESUMED), "resumed after resume-after (PT1S)");
        assertFalse(openHandoffs(gw).contains("quick:user:zhao"));
    }

    @Test
    public void anUnverifiedOfficialAccountHoldsTheAgentReplyForTheNextMessage() throws Exception {
        HttpResponse<String> first = post(gw, "wechat", "oa", oa.text("fan", "发票怎么开", ids.incrementAndGet(),
                Instant.now()));
        assertTrue(oa.passiveText(first.body()).startsWith("在订单页点击申请发票"));
        assertEquals(gw.post("/admin/conversations/oa:user:fan/takeover", "{}").statusCode(), 200);
        HttpResponse<String> reply = gw.post("/admin/conversations/oa:user:fan/reply", "{\"text\":\"您好，我是客服。\"}");
        assertEquals(reply.statusCode(), 202, reply.body());
        JsonNode body = Json.MAPPER.readTree(reply.body());
        assertFalse(body.path("delivered").asBoolean());
        assertTrue(body.path("note").asText().contains("next message"), "the API says it waits: " + body);
        assertTrue(oa.delivered().isEmpty(), "nothing pushed through the customer-service API");
        HttpResponse<String> next = post(gw, "wechat", "oa", oa.text("fan", "在吗", ids.incrementAndGet(),
                Instant.now()));
        assertEquals(oa.passiveText(next.body()), "您好，我是客服。",
                "the held reply comes with the next message, and the bot adds nothing");
    }

    @Test
    public void badRequestsAreRefusedWithAReason() throws Exception {
        assertEquals(gw.post("/admin/conversations/desk:user:nobody/reply", "{\"text\":\"hi\"}").statusCode(), 404);
        assertEquals(gw.post("/admin/conversations/ghost:user:x/takeover", "{}").statusCode(), 404);
        assertEquals(gw.post("/admin/conversations/nocolon/takeover", "{}").statusCode(), 400);
        HttpResponse<String> empty = gw.post("/admin/conversations/desk:user:zhang/reply", "{\"text\":\"  \"}");
        assertEquals(empty.statusCode(), 400, empty.body());
        assertTrue(empty.body().contains("text"), empty.body());
        assertEquals(gw.get("/admin/conversations?state=bogus").statusCode(), 400);
        assertEquals(gw.post("/admin/review/999999/resolve", "{\"action\":\"dismiss\"}").statusCode(), 404);
        assertEquals(gw.post("/admin/review/1/resolve", "{\"action\":\"shrug\"}").statusCode(), 400);
        assertEquals(gw.get("/admin/review?status=later").statusCode(), 400);
    }

    @Test
    public void theReviewLoopTeachesTheBot() throws Exception {
        String q = "I changed my mind, can I send the sofa back";
        wecomSays(gw, "alone", "sun", q);
        assertEquals(wecomTo("sun").getLast(), "不知道", "a fallback at first (an English question, a Chinese base)");
        wecomSays(gw, "alone", "sun", q.toUpperCase(java.util.Locale.ROOT) + "?");
        waitFor(() -> group(q).map(g -> g.path("group").path("items").size() == 2).orElse(false),
                "both askings land in one review group");
        JsonNode listed = group(q).orElseThrow();
        assertTrue(listed.path("suggestions").size() > 0, "entries to attach to are suggested: " + listed);
        JsonNode hits = Json.MAPPER.readTree(gw.post("/admin/kb/faq/search", "{\"query\":\"怎么退货\",\"top\":1}")
                .body()).path("hits");
        String returns = hits.get(0).path("chunk_id").asText();
        long id = listed.path("group").path("id").asLong();
        HttpResponse<String> resolved = gw.post("/admin/review/" + id + "/resolve",
                "{\"action\":\"attach\",\"chunk_id\":\"" + returns + "\"}");
        assertEquals(resolved.statusCode(), 200, resolved.body());
        assertEquals(Json.MAPPER.readTree(resolved.body()).path("status").asText(), "resolved");
        assertTrue(resolved.body().contains("attach"), "the resolution is recorded: " + resolved.body());
        assertTrue(group(q).isEmpty(), "no longer open");
        assertEquals(gw.post("/admin/review/" + id + "/resolve", "{\"action\":\"dismiss\"}").statusCode(), 409);
        JsonNode resolvedList = Json.MAPPER.readTree(gw.get("/admin/review?status=resolved").body());
        assertTrue(resolvedList.toString().contains(q), "kept with its resolution: " + resolvedList);

        wecomSays(gw, "alone", "sun", q);
        assertTrue(wecomTo("sun").getLast().startsWith("收到商品7天内可在订单页申请退货"),
                "the same question is now answered from the entry: " + wecomTo("sun").getLast());
        MessageLog.Entry last = gw.botgate().parts().log().recent(Optional.of("user:sun"), 1).getFirst();
        assertEquals(last.policy(), "direct", "directly, as a Q&A hit");

        HttpResponse<String> down = gw.post("/admin/conversations/alone:user:sun/messages/" + last.id()
                + "/feedback", "{\"rating\":\"down\"}");
        assertEquals(down.statusCode(), 200, down.body());
        waitFor(() -> group(q).map(g -> g.path("group").path("items").get(0).path("reason")
                .asText().equals("thumbs-down")).orElse(false), "a thumbs-down lands in the queue too");
        assertEquals(gw.post("/admin/conversations/alone:user:sun/messages/" + last.id() + "/feedback",
                "{\"rating\":\"meh\"}").statusCode(), 400);
    }

    @Test
    public void aNewEntryWrittenFromTheQueueAnswersAtOnce() throws Exception {
        String q = "周末有人上班吗";
        wecomSays(gw, "alone", "qian", q);
        assertEquals(wecomTo("qian").getLast(), "不知道");
        waitFor(() -> group(q).isPresent(), "queued");
        long id = group(q).orElseThrow().path("group").path("id").asLong();
        HttpResponse<String> r = gw.post("/admin/review/" + id + "/resolve",
                "{\"action\":\"new-entry\",\"base\":\"faq\",\"answer\":\"周末正常上班，9:00-18:00。\"}");
        assertEquals(r.statusCode(), 200, r.body());
        wecomSays(gw, "alone", "qian", q);
        assertTrue(wecomTo("qian").getLast().startsWith("周末正常上班，9:00-18:00。"), wecomTo("qian").getLast());
        assertEquals(gw.post("/admin/review/" + id + "/resolve", "{\"action\":\"new-entry\",\"base\":\"other\","
                + "\"answer\":\"x\"}").statusCode(), 409, "resolved once");
    }

    private Optional<JsonNode> group(String question) {
        try {
            for (JsonNode g : Json.MAPPER.readTree(gw.get("/admin/review").body()).path("groups")) {
                if (g.path("group").path("question").asText().equalsIgnoreCase(question)) {
                    return Optional.of(g);
                }
            }
            return Optional.empty();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test(priority = 10)
    public void aHandoffSurvivesARestart() throws Exception {
        wecomSays(gw, "desk", "zhou", "转人工");
        assertTrue(openHandoffs(gw).contains("desk:user:zhou"));
        gw.close();
        gw = TestGateway.startIn(home, config(), Map.of("FEISHU_BOT_SECRET", FEISHU_SECRET));
        assertTrue(openHandoffs(gw).contains("desk:user:zhou"), "still handed off after the restart");
        int sent = wecomTo("zhou").size();
        wecomSays(gw, "desk", "zhou", "发票怎么开");
        Thread.sleep(300);
        assertEquals(wecomTo("zhou").size(), sent, "and the bot still stays silent");
        assertEquals(gw.post("/admin/conversations/desk:user:zhou/reply", "{\"text\":\"我在\"}").statusCode(), 200);
        assertEquals(wecomTo("zhou").getLast(), "我在");
    }
}
