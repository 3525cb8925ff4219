package dev.botgate.backend.engine.remote;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertFalse;
import static org.testng.Assert.assertTrue;
import static org.testng.Assert.expectThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.botgate.backend.engine.ChatMessage;
import dev.botgate.backend.engine.EngineUnavailableException;
import dev.botgate.backend.engine.GenerationEvent;
import dev.botgate.backend.engine.GenerationOptions;
import dev.botgate.backend.engine.GenerationRequest;
import dev.botgate.backend.engine.InvalidRequestException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.testng.annotations.Test;

/**
 * The remote engine against small local fakes, for what a real server cannot do on demand (429, a slow first token, a
 * broken stream) and to read the exact request it sends. The real-server tests (a second Botgate) are in the gateway.
 */
public class RemoteEngineTest {

    /** Records events; {@link #end} completes with the terminal one. */
    static final class Recorder implements Consumer<GenerationEvent> {
        final List<String> tokens = new CopyOnWriteArrayList<>();
        final CompletableFuture<GenerationEvent> end = new CompletableFuture<>();

        @Override
        public void accept(GenerationEvent e) {
            switch (e) {
                case GenerationEvent.Token t -> tokens.add(t.text());
                case GenerationEvent.Done d -> end.complete(d);
                case GenerationEvent.Failed f -> end.complete(f);
            }
        }

        GenerationEvent await() throws Exception {
            return end.get(10, TimeUnit.SECONDS);
        }
    }

    static RemoteEngineConfig.Builder config(String type, String... urls) {
        RemoteEngineConfig.Builder b = RemoteEngineConfig.builder("engines[0]").name("gpu").type(type)
                .model("chat", "fake-model").connectTimeout(Duration.ofSeconds(1))
                .firstTokenTimeout(Duration.ofSeconds(5)).healthInterval(Duration.ofMillis(200));
        for (String u : urls) {
            b.baseUrl(u);
        }
        return b;
    }

    static GenerationRequest chat(GenerationOptions options) {
        return new GenerationRequest("chat", new GenerationRequest.Chat(List.of(new ChatMessage("user", "hi"))),
                options);
    }

    @Test
    public void openAiStreamArrivesInOrderWithTheServersCountsAndOptionsMapped() throws Exception {
        try (FakeEngineServer fake = new FakeEngineServer(FakeEngineServer.openAi("Hel", "lo", " 你好"));
             RemoteEngine engine = new RemoteEngine(config("openai", fake.base("/v1")).apiKey("sk-test").build(),
                     RemoteOutcome.Observer.NONE)) {
            Recorder r = new Recorder();
            GenerationOptions options = new GenerationOptions(0.3, 0.9, null, null, 42, null, 17, List.of("END"),
                    "{\"type\":\"object\"}", null);
            engine.submit(chat(options), r);
            GenerationEvent.Done done = (GenerationEvent.Done) r.await();
            assertEquals(r.tokens, List.of("Hel", "lo", " 你好"), "tokens in order");
            assertEquals(done.reason(), GenerationEvent.DoneReason.LENGTH, "finish_reason length");
            assertEquals(done.stats().promptTokens(), 7, "server's prompt count");
            assertEquals(done.stats().completionTokens(), 3, "server's completion count");
            assertEquals(fake.paths, List.of("/v1/chat/completions"), "OpenAI path");
            JsonNode body = WireJson.parse(fake.bodies.getFirst());
            assertEquals(body.path("model").asText(), "fake-model", "the server's model name");
            assertTrue(body.path("stream").asBoolean(), "streams");
            assertEquals(body.path("temperature").asDouble(), 0.3);
            assertEquals(body.path("top_p").asDouble(), 0.9);
            assertEquals(body.path("seed").asInt(), 42);
            assertEquals(body.path("max_tokens").asInt(), 17);
            assertEquals(body.path("stop").path(0).asText(), "END");
            assertEquals(body.path("response_format").path("type").asText(), "json_schema");
            assertEquals(body.path("response_format").path("json_schema").path("schema").path("type").asText(),
                    "object");
            assertEquals(body.path("messages").path(0).path("content").asText(), "hi");
        }
    }

    @Test
    public void ollamaStreamMapsOptionsAndFormat() throws Exception {
        FakeEngineServer.Behaviour ndjson = ex -> {
            OutputStream out = FakeEngineServer.stream(ex, "application/x-ndjson");
            FakeEngineServer.line(out, "{\"message\":{\"role\":\"assistant\",\"content\":\"a\"},\"done\":false}");
            FakeEngineServer.line(out, "{\"message\":{\"role\":\"assistant\",\"content\":\"b\"},\"done\":false}");
            FakeEngineServer.line(out, "{\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                    + "\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":2}");
        };
        try (FakeEngineServer fake = new FakeEngineServer(ndjson);
             RemoteEngine engine = new RemoteEngine(config("ollama", fake.base("")).build(),
                     RemoteOutcome.Observer.NONE)) {
            Recorder r = new Recorder();
            engine.submit(chat(new GenerationOptions(0.5, null, 40, null, 1, 1.1, 9, List.of("x"), null, true)), r);
            GenerationEvent.Done done = (GenerationEvent.Done) r.await();
            assertEquals(r.tokens, List.of("a", "b"));
            assertEquals(done.reason(), GenerationEvent.DoneReason.STOP);
            assertEquals(done.stats().completionTokens(), 2);
            assertEquals(fake.paths, List.of("/api/chat"));
            JsonNode body = WireJson.parse(fake.bodies.getFirst());
            assertEquals(body.path("format").asText(), "json");
            assertEquals(body.path("options").path("temperature").asDouble(), 0.5);
            assertEquals(body.path("options").path("top_k").asInt(), 40);
            assertEquals(body.path("options").path("num_predict").asInt(), 9);
            assertEquals(body.path("options").path("repeat_penalty").asDouble(), 1.1);
            assertEquals(body.path("options").path("stop").path(0).asText(), "x");
        }
    }

    @Test
    public void a429MovesTheRequestToTheOtherServerWithoutTakingTheFirstOut() throws Exception {
        try (FakeEngineServer busy = new FakeEngineServer(ex -> FakeEngineServer.send(ex, 429,
                "{\"error\":{\"message\":\"rate limited\"}}"));
             FakeEngineServer ok = new FakeEngineServer(FakeEngineServer.openAi("fine"));
             RemoteEngine engine = new RemoteEngine(config("openai", busy.base("/v1"), ok.base("/v1")).build(),
                     RemoteOutcome.Observer.NONE)) {
            for (int i = 0; i < 4; i++) {
                Recorder r = new Recorder();
                engine.submit(chat(GenerationOptions.NONE), r);
                assertTrue(r.await() instanceof GenerationEvent.Done, "answered by the other server");
                assertEquals(r.tokens, List.of("fine"));
            }
            assertFalse(busy.paths.isEmpty(), "the busy server was tried");
            assertTrue(engine.status().servers().getFirst().up(), "a 429 does not take a server out");
            assertTrue(engine.status().servers().getFirst().lastError().contains("rate limited"),
                    engine.status().toString());
        }
    }

    @Test
    public void aSlowFirstTokenIsRefusedWithinTheFirstTokenTimeout() throws Exception {
        try (FakeEngineServer slow = new FakeEngineServer(ex -> {
            OutputStream out = FakeEngineServer.stream(ex, "text/event-stream");
            Thread.sleep(20_000);
            FakeEngineServer.line(out, "data: [DONE]");
        });
             RemoteEngine engine = new RemoteEngine(config("openai", slow.base("/v1"))
                     .firstTokenTimeout(Duration.ofMillis(400)).build(), RemoteOutcome.Observer.NONE)) {
            long t0 = System.nanoTime();
            EngineUnavailableException e = expectThrows(EngineUnavailableException.class,
                    () -> engine.submit(chat(GenerationOptions.NONE), new Recorder()));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(e.reason(), EngineUnavailableException.Reason.TIMEOUT, e.getMessage());
            assertTrue(e.getMessage().contains("gpu") && e.getMessage().contains("first-token-timeout"),
                    e.getMessage());
            assertTrue(ms < 3000, "refused in " + ms + " ms");
        }
    }

    @Test
    public void aStreamBrokenAfterItBeganEndsWithFailedNamingTheEngine() throws Exception {
        try (FakeEngineServer broken = new FakeEngineServer(ex -> {
            OutputStream out = FakeEngineServer.stream(ex, "text/event-stream");
            FakeEngineServer.line(out, "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}");
            FakeEngineServer.line(out, "data: {\"choices\":[{\"delta\":{\"content\":\"tial\"}}]}");
            // ends without finish_reason or [DONE]
        });
             RemoteEngine engine = new RemoteEngine(config("openai", broken.base("/v1")).build(),
                     RemoteOutcome.Observer.NONE)) {
            Recorder r = new Recorder();
            engine.submit(chat(GenerationOptions.NONE), r);
            GenerationEvent end = r.await();
            assertTrue(end instanceof GenerationEvent.Failed, "got " + end);
            assertTrue(((GenerationEvent.Failed) end).message().contains("engine 'gpu'"), end.toString());
            assertEquals(r.tokens, List.of("par", "tial"), "what came before the break was passed on");
            assertEquals(engine.status().servers().getFirst().inFlight(), 0, "in-flight count released");
        }
    }

    @Test
    public void aRefusedRequestIsNotRetriedAndSaysWhy() throws Exception {
        try (FakeEngineServer bad = new FakeEngineServer(ex -> FakeEngineServer.send(ex, 400,
                "{\"error\":{\"message\":\"max_tokens is too large\"}}"));
             FakeEngineServer other = new FakeEngineServer(FakeEngineServer.openAi("x"));
             RemoteEngine engine = new RemoteEngine(config("openai", bad.base("/v1"), other.base("/v1")).build(),
                     RemoteOutcome.Observer.NONE)) {
            // Whichever server is picked first: the 400 is reported as is, never retried.
            int refused = 0;
            for (int i = 0; i < 2; i++) {
                try {
                    engine.submit(chat(GenerationOptions.NONE), new Recorder()).cancel();
                } catch (InvalidRequestException e) {
                    assertTrue(e.getMessage().contains("max_tokens is too large"), e.getMessage());
                    refused++;
                }
            }
            assertEquals(refused, bad.paths.size(), "each request to the refusing server was refused, not moved");
            assertEquals(bad.paths.size() + other.paths.size(), 2, "one attempt per request");
        }
    }

    @Test
    public void nothingReachableFailsFastThenTheBreakerAnswersAtOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: connections are refused
        }
        try (RemoteEngine engine = new RemoteEngine(config("openai", "http://127.0.0.1:" + port + "/v1")
                .healthInterval(Duration.ofSeconds(30)).build(), RemoteOutcome.Observer.NONE)) {
            long t0 = System.nanoTime();
            EngineUnavailableException first = expectThrows(EngineUnavailableException.class,
                    () -> engine.submit(chat(GenerationOptions.NONE), new Recorder()));
            assertTrue(first.getMessage().contains("gpu") && first.getMessage().contains("connect"),
                    first.getMessage());
            EngineUnavailableException second = expectThrows(EngineUnavailableException.class,
                    () -> engine.submit(chat(GenerationOptions.NONE), new Recorder()));
            assertEquals(second.reason(), EngineUnavailableException.Reason.DOWN, second.getMessage());
            assertTrue(second.getMessage().contains("127.0.0.1:" + port), second.getMessage());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3000, "both refused in " + ms + " ms");
            assertFalse(engine.status().up(), "the engine shows down");
        }
    }

    @Test
    public void autoModelsAreLearnedFromTheServersList() throws Exception {
        try (FakeEngineServer fake = new FakeEngineServer(FakeEngineServer.openAi("x"));
             RemoteEngine engine = new RemoteEngine(RemoteEngineConfig.builder("engines[0]").name("gpu")
                     .type("ollama").baseUrl(fake.base("")).autoModels().healthInterval(Duration.ofMillis(100))
                     .build(), RemoteOutcome.Observer.NONE)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.remoteName("fake-model").isEmpty() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertEquals(engine.remoteName("fake-model").orElse(""), "fake-model:latest",
                    "name without tag finds the :latest model");
        }
    }

    @Test
    public void aModelTheBundledLlamaCppCannotLoadIsRefusedWithTheWayToRunItRemotely() throws Exception {
        java.nio.file.Path qwen3 = dev.botgate.backend.store.TinyGguf.builder().architecture("qwen3")
                .write(java.nio.file.Files.createTempDirectory("qwen3").resolve("qwen3.gguf"));
        var e = expectThrows(dev.botgate.backend.store.ModelRefusedException.class,
                () -> dev.botgate.backend.store.ModelCheck.bundled().check(qwen3));
        assertTrue(e.getMessage().contains("'qwen3'") && e.getMessage().contains("engines:"), e.getMessage());
    }

    @Test
    public void configErrorsNameTheKey() {
        IllegalArgumentException e = expectThrows(IllegalArgumentException.class,
                () -> RemoteEngineConfig.builder("engines[1]").name("gpu").type("vllm"));
        assertTrue(e.getMessage().startsWith("engines[1] (gpu).type: "), e.getMessage());
        e = expectThrows(IllegalArgumentException.class,
                () -> RemoteEngineConfig.builder("engines[0]").name("gpu").type("openai").baseUrl("ftp://x"));
        assertTrue(e.getMessage().startsWith("engines[0] (gpu).base-url: "), e.getMessage());
        e = expectThrows(IllegalArgumentException.class,
                () -> RemoteEngineConfig.builder("engines[0]").name("gpu").type("openai").baseUrl("http://x/v1")
                        .build());
        assertTrue(e.getMessage().startsWith("engines[0] (gpu).models: missing"), e.getMessage());
        RemoteEngineConfig a = RemoteEngineConfig.builder("engines[0]").name("a").type("openai")
                .baseUrl("http://x/v1").model("m").apiKey("secret-key").build();
        RemoteEngineConfig b = RemoteEngineConfig.builder("engines[1]").name("b").type("ollama")
                .baseUrl("http://y").model("m", "other").build();
        e = expectThrows(IllegalArgumentException.class, () -> RemoteEngineConfig.checkDistinct(List.of(a, b)));
        assertTrue(e.getMessage().contains("'a'") && e.getMessage().contains("'b'"), e.getMessage());
        assertFalse(a.toString().contains("secret-key"), "the key is never printed");
    }

}
