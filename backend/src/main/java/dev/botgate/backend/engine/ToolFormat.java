package dev.botgate.backend.engine;

/**
 * How a model family writes a function call, told from its chat template: the template shows the model its own
 * format, so the text it was trained on names it.
 */
enum ToolFormat {
    /** Hermes, Qwen2.5 and the fallback: {@code <tool_call>{"name": …, "arguments": {…}}</tool_call>}. */
    HERMES,
    /** Llama 3.1+: a bare JSON object {@code {"name": …, "parameters": {…}}}, optionally after {@code <|python_tag|>}. */
    LLAMA3,
    /** Mistral: {@code [TOOL_CALLS] [{"name": …, "arguments": {…}}]}. */
    MISTRAL;

    /** The format a template teaches; Hermes when it shows none (the fallback prompt teaches Hermes). */
    static ToolFormat detect(String template) {
        if (template.contains("[TOOL_CALLS]")) {
            return MISTRAL;
        }
        if (template.contains("<tool_call>")) {
            return HERMES;
        }
        if (template.contains("<|start_header_id|>") && template.contains("\"parameters\"")) {
            return LLAMA3;
        }
        return HERMES;
    }
}
