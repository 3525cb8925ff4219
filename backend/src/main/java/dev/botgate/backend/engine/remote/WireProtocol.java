package dev.botgate.backend.engine.remote;

import dev.botgate.backend.engine.GenerationRequest;
import java.util.List;

/** One remote API's wire format: the request, the streamed lines, the model list and error bodies. */
interface WireProtocol {

    /** Where a generation is posted, relative to the base URL. */
    String path(GenerationRequest.Prompt prompt);

    /** The JSON body of a streaming request for the server's model name. */
    byte[] body(String remoteModel, GenerationRequest request);

    /** Reads one line of the response stream into the sink. */
    void line(String line, Sink sink);

    /** Where the server lists its models (also the health check), relative to the base URL. */
    String modelsPath();

    /** The model names in a model list response. */
    List<String> models(byte[] body);

    /** Where embeddings are posted, relative to the base URL. */
    String embedPath();

    /** The JSON body of an embedding request for several texts. */
    byte[] embedBody(String remoteModel, List<String> texts);

    /**
     * The vectors of an embedding response, in the order of the texts.
     *
     * @throws IllegalArgumentException when the response is not what was asked for
     */
    float[][] embeddings(byte[] body, int count);

    /** The message in an error response body, or a short excerpt of the body when it has none. */
    String errorMessage(byte[] body);

    /** What a line carried. */
    interface Sink {
        void token(String text);

        /** The server's reason ({@code stop}, {@code length}) when it gives it. */
        void finishReason(String reason);

        /** Token counts when the server reports them. */
        void usage(int promptTokens, int completionTokens);

        /** The stream is complete. */
        void end();

        /** The server reported an error inside the stream. */
        void error(String message);
    }
}
