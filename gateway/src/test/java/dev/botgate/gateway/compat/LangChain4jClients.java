package dev.botgate.gateway.compat;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.botgate.gateway.TestGateway;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** LangChain4j's OpenAI and Ollama models (Maven, langchain4j-bom 1.11.0) against the compatibility server. */
final class LangChain4jClients {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final ToolSpecification WEATHER = ToolSpecification.builder().name("get_weather")
            .description("Weather for a city")
            .parameters(JsonObjectSchema.builder().addEnumProperty("city", List.of("Oslo", "Paris", "Rome"))
                    .addEnumProperty("unit", List.of("C", "F")).required("city", "unit").build())
            .build();

    private LangChain4jClients() {
    }

    private static String base(TestGateway gw) {
        return "http://127.0.0.1:" + gw.botgate().port();
    }

    private static void checkArgs(ToolExecutionRequest call) throws Exception {
        assertEquals(call.name(), "get_weather");
        JsonNode args = JSON.readTree(call.arguments());
        assertTrue(Set.of("Oslo", "Paris", "Rome").contains(args.path("city").asText()), call.arguments());
        assertTrue(Set.of("C", "F").contains(args.path("unit").asText()), call.arguments());
    }

    private static ChatRequest forced() {
        return ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?")).toolSpecifications(WEATHER)
                .toolChoice(ToolChoice.REQUIRED).build();
    }

    static void openAiForcedToolCall(TestGateway gw) throws Exception {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(base(gw) + "/v1").apiKey("unused")
                .modelName(CompatSuiteTest.MODEL).maxTokens(200).maxRetries(0).build();
        ChatResponse r = model.chat(forced());
        assertTrue(r.aiMessage().hasToolExecutionRequests(), "a forced call: " + r);
        checkArgs(r.aiMessage().toolExecutionRequests().getFirst());
    }

    static void openAiForcedToolCallStreamed(TestGateway gw) throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(base(gw) + "/v1").apiKey("unused")
                .modelName(CompatSuiteTest.MODEL).maxTokens(200).build();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(forced(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(60, TimeUnit.SECONDS);
        assertTrue(r.aiMessage().hasToolExecutionRequests(), "a forced call, streamed: " + r);
        checkArgs(r.aiMessage().toolExecutionRequests().getFirst());
    }

    private static ChatRequest roundTrip(ToolChoice choice) {
        ToolExecutionRequest call = ToolExecutionRequest.builder().id("call_1").name("get_weather")
                .arguments("{\"city\":\"Oslo\",\"unit\":\"C\"}").build();
        return ChatRequest.builder().messages(UserMessage.from("Weather in Oslo?"), AiMessage.from(call),
                ToolExecutionResultMessage.from(call, "sunny, 21 C")).toolSpecifications(WEATHER).toolChoice(choice)
                .build();
    }

    static void openAiToolResultRoundTrip(TestGateway gw) {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(base(gw) + "/v1").apiKey("unused")
                .modelName(CompatSuiteTest.MODEL).maxTokens(4).maxRetries(0).build();
        ChatResponse r = model.chat(roundTrip(ToolChoice.AUTO));
        assertTrue(r.tokenUsage().inputTokenCount() > 50, "the call and its result are in the prompt: " + r);
    }

    static void ollamaChatAndToolResultRoundTrip(TestGateway gw) {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(base(gw)).modelName(CompatSuiteTest.MODEL)
                .numPredict(4).build();
        assertTrue(model.chat("hello") != null);
        ChatResponse r = model.chat(roundTrip(ToolChoice.AUTO));
        assertTrue(r.tokenUsage().inputTokenCount() > 50, "the call and its result are in the prompt: " + r);
    }

    /**
     * LangChain4j's Ollama model cannot ask for a forced call: it refuses REQUIRED itself before sending (Ollama's API
     * has no tool_choice), so through this client only the model decides whether to call.
     */
    static void ollamaForcedToolChoice(TestGateway gw) {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(base(gw)).modelName(CompatSuiteTest.MODEL)
                .numPredict(200).build();
        org.testng.Assert.assertThrows(dev.langchain4j.exception.UnsupportedFeatureException.class,
                () -> model.chat(forced()));
    }

    static void embeddings(TestGateway gw) {
        OpenAiEmbeddingModel openAi = OpenAiEmbeddingModel.builder().baseUrl(base(gw) + "/v1").apiKey("unused")
                .modelName("bge-small-zh-v1.5").build();
        assertEquals(openAi.embed("退货").content().dimension(), 512);
        OllamaEmbeddingModel ollama = OllamaEmbeddingModel.builder().baseUrl(base(gw)).modelName("bge-small-zh-v1.5")
                .build();
        assertEquals(ollama.embed("退货").content().dimension(), 512);
    }
}
