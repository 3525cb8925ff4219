package dev.botgate.backend.store;

import dev.botgate.backend.engine.GenerationOptions;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A Modelfile, as Ollama writes them: what a named model variant layers over its GGUF weights.
 *
 * <pre>
 * # comments start with '#'
 * FROM ./qwen2.5-0.5b-instruct-q4_k_m.gguf     (a GGUF path, relative to the Modelfile's folder, or a model name)
 * SYSTEM """You answer questions about
 * our products, briefly."""                    (one line, "quoted", or """ multi-line """)
 * PARAMETER temperature 0.2                     (temperature top_p top_k min_p seed repeat_penalty num_predict
 * PARAMETER stop "&lt;|im_end|&gt;"                   num_ctx stop; stop may repeat)
 * TEMPLATE """{% for m in messages %}...{% endfor %}"""   (a Jinja chat template replacing the GGUF's)
 * LICENSE """Apache-2.0"""
 * </pre>
 *
 * <p>A {@code """} block drops one newline right after the opening and one right before the closing quotes, so
 * a block written over several lines means the lines between them.
 *
 * @param from       the {@code FROM} argument as written
 * @param system     {@code SYSTEM}
 * @param template   {@code TEMPLATE}
 * @param license    {@code LICENSE}
 * @param parameters {@code PARAMETER} lines in order, values normalised
 */
public record Modelfile(String from, Optional<String> system, Optional<String> template, Optional<String> license,
                        List<Parameter> parameters) {

    /** One {@code PARAMETER key value} line. */
    public record Parameter(String key, String value) {
        public Parameter {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Largest {@code num_ctx}: the engine's own {@code engine.context-size} bound. Each slot gets this many tokens of
     * KV cache, so a value near 2^30 would only fail (or exhaust memory) inside llama.cpp.
     */
    public static final int MAX_NUM_CTX = 1 << 20;

    /** Parameter keys and what their values must be. */
    private static final Map<String, String> KEYS = new LinkedHashMap<>();

    static {
        KEYS.put("temperature", "a number >= 0, e.g. 0.7");
        KEYS.put("top_p", "a number from 0 to 1, e.g. 0.9");
        KEYS.put("top_k", "a whole number >= 0, e.g. 40");
        KEYS.put("min_p", "a number from 0 to 1, e.g. 0.05");
        KEYS.put("seed", "a whole number, e.g. 42");
        KEYS.put("repeat_penalty", "a number >= 0, e.g. 1.1");
        KEYS.put("num_predict", "a whole number of tokens, -1 for no limit");
        KEYS.put("num_ctx", "a whole number of tokens from 1 to " + MAX_NUM_CTX + ", e.g. 4096");
        KEYS.put("stop", "a string; repeat the line for several");
    }

    public Modelfile {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(license, "license");
        parameters = List.copyOf(parameters);
    }

    /** A Modelfile of just {@code FROM from}. */
    public static Modelfile from(String from) {
        return new Modelfile(from, Optional.empty(), Optional.empty(), Optional.empty(), List.of());
    }

    /**
     * Parses Modelfile text.
     *
     * @throws ModelfileException naming the line and what is wrong with it
     */
    public static Modelfile parse(String text) {
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        String from = null;
        Map<String, Integer> seen = new LinkedHashMap<>();
        String system = null;
        String template = null;
        String license = null;
        List<Parameter> parameters = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = indexOfWhitespace(line);
            String instruction = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
            String args = space < 0 ? "" : line.substring(space).strip();
            switch (instruction) {
                case "FROM", "SYSTEM", "TEMPLATE", "LICENSE" -> {
                    Integer earlier = seen.putIfAbsent(instruction, lineNo);
                    if (earlier != null) {
                        throw new ModelfileException(lineNo, instruction + " is given twice (also on line " + earlier
                                + "); keep one");
                    }
                    String value;
                    if (args.startsWith("\"\"\"")) {
                        int[] end = new int[1];
                        value = multiLine(lines, i, lines[i].indexOf("\"\"\"") + 3, end, instruction);
                        i = end[0];
                    } else {
                        value = unquote(args, lineNo);
                    }
                    if (value.isEmpty() && instruction.equals("FROM")) {
                        throw new ModelfileException(lineNo, "FROM needs a GGUF file path or a model name, e.g. "
                                + "FROM ./model.gguf or FROM qwen2.5:0.5b");
                    }
                    switch (instruction) {
                        case "FROM" -> from = value;
                        case "SYSTEM" -> system = value;
                        case "TEMPLATE" -> template = value;
                        default -> license = value;
                    }
                }
                case "PARAMETER" -> parameters.add(parameter(args, lineNo, parameters));
                case "ADAPTER", "MESSAGE", "REQUIRES" -> throw new ModelfileException(lineNo, instruction
                        + " is an Ollama instruction that Botgate does not support yet; remove the line");
                default -> throw new ModelfileException(lineNo, "unknown instruction '" + instruction.toLowerCase(
                        Locale.ROOT) + "'; a Modelfile has FROM, SYSTEM, PARAMETER, TEMPLATE, LICENSE and # comments");
            }
        }
        if (from == null) {
            throw new ModelfileException(0, "no FROM line; start with FROM ./model.gguf or FROM an existing model "
                    + "name");
        }
        return new Modelfile(from, Optional.ofNullable(system), Optional.ofNullable(template),
                Optional.ofNullable(license), parameters);
    }

    /** The sampling defaults the {@code PARAMETER} lines set; unset fields stay {@code null}. */
    public GenerationOptions options() {
        Double temperature = null;
        Double topP = null;
        Integer topK = null;
        Double minP = null;
        Integer seed = null;
        Double repeatPenalty = null;
        Integer numPredict = null;
        List<String> stop = null;
        for (Parameter p : parameters) {
            switch (p.key()) {
                case "temperature" -> temperature = Double.parseDouble(p.value());
                case "top_p" -> topP = Double.parseDouble(p.value());
                case "top_k" -> topK = Integer.parseInt(p.value());
                case "min_p" -> minP = Double.parseDouble(p.value());
                case "seed" -> seed = Integer.parseInt(p.value());
                case "repeat_penalty" -> repeatPenalty = Double.parseDouble(p.value());
                case "num_predict" -> numPredict = Integer.parseInt(p.value());
                case "stop" -> {
                    if (stop == null) {
                        stop = new ArrayList<>();
                    }
                    stop.add(p.value());
                }
                default -> {
                    // num_ctx is not a sampling option: see numCtx()
                }
            }
        }
        return new GenerationOptions(temperature, topP, topK, minP, seed, repeatPenalty, numPredict, stop, null, null);
    }

    /** {@code PARAMETER num_ctx}, 0 when not set. */
    public int numCtx() {
        return parameters.stream().filter(p -> p.key().equals("num_ctx")).mapToInt(p -> Integer.parseInt(p.value()))
                .reduce((a, b) -> b).orElse(0);
    }

    /**
     * This Modelfile layered over {@code base} (the model named in {@code FROM}): what this one sets wins, a parameter
     * set here replaces all of the base's values for that key, and {@code from} is kept as this one's.
     */
    public Modelfile over(Modelfile base) {
        List<Parameter> merged = new ArrayList<>();
        for (Parameter p : base.parameters) {
            if (parameters.stream().noneMatch(q -> q.key().equals(p.key()))) {
                merged.add(p);
            }
        }
        merged.addAll(parameters);
        return new Modelfile(from, system.or(base::system), template.or(base::template), license.or(base::license),
                merged);
    }

    /**
     * Whether a {@code FROM} argument names a file rather than a model: it has a slash or backslash, starts with
     * {@code ~/}, or ends with {@code .gguf}.
     */
    public static boolean isPath(String from) {
        return from.startsWith("~/") || from.contains("/") || from.contains("\\")
                || from.toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    /** {@code from} with a leading {@code ~/} replaced by the user's home directory. */
    static String expandHome(String from) {
        return from.startsWith("~/") ? System.getProperty("user.home") + from.substring(1) : from;
    }

    /**
     * This Modelfile with a relative {@code FROM} path made absolute against {@code folder}, the Modelfile's own
     * directory: what a client sends to a server, which cannot know that folder. A model name, or a bare name that is
     * no file in {@code folder}, stays as written.
     */
    public Modelfile resolvedAgainst(Path folder) {
        String expanded = expandHome(from);
        Path given;
        try {
            given = Path.of(expanded);
        } catch (java.nio.file.InvalidPathException e) {
            return this; // not a path: whoever reads FROM reports it
        }
        if (given.isAbsolute() && expanded.equals(from)) {
            return this;
        }
        Path file = folder.toAbsolutePath().resolve(given).normalize();
        if (isPath(from) || java.nio.file.Files.isRegularFile(file)) {
            return withFrom(file.toString());
        }
        return this;
    }

    /** This Modelfile with another {@code FROM}. */
    public Modelfile withFrom(String newFrom) {
        return new Modelfile(newFrom, system, template, license, parameters);
    }

    /** The Modelfile text, in the order Ollama prints it; {@link #parse} reads it back to an equal record. */
    public String render() {
        StringBuilder out = new StringBuilder();
        out.append("FROM ").append(quoteIfNeeded(from)).append('\n');
        template.ifPresent(t -> out.append("TEMPLATE ").append(block(t)).append('\n'));
        system.ifPresent(s -> out.append("SYSTEM ").append(block(s)).append('\n'));
        for (Parameter p : parameters) {
            out.append("PARAMETER ").append(p.key()).append(' ')
                    .append(p.key().equals("stop") ? quote(p.value()) : p.value()).append('\n');
        }
        license.ifPresent(l -> out.append("LICENSE ").append(block(l)).append('\n'));
        return out.toString();
    }

    private static Parameter parameter(String args, int lineNo, List<Parameter> earlier) {
        int space = indexOfWhitespace(args);
        if (args.isEmpty() || space < 0) {
            throw new ModelfileException(lineNo, "PARAMETER needs a name and a value, e.g. PARAMETER temperature 0.7");
        }
        String key = args.substring(0, space).toLowerCase(Locale.ROOT);
        String raw = args.substring(space).strip();
        String expected = KEYS.get(key);
        if (expected == null) {
            throw new ModelfileException(lineNo, "unknown parameter '" + key + "'; supported: "
                    + String.join(", ", KEYS.keySet()));
        }
        if (!key.equals("stop") && earlier.stream().anyMatch(p -> p.key().equals(key))) {
            throw new ModelfileException(lineNo, "parameter " + key + " is set twice; keep one line");
        }
        String value = unquote(raw, lineNo);
        if (key.equals("stop")) {
            if (value.isEmpty()) {
                throw new ModelfileException(lineNo, "stop needs a non-empty string");
            }
            return new Parameter(key, value);
        }
        try {
            switch (key) {
                case "top_k", "seed", "num_predict", "num_ctx" -> {
                    int n = Integer.parseInt(value);
                    boolean ok = switch (key) {
                        case "top_k" -> n >= 0;
                        case "num_ctx" -> n > 0 && n <= MAX_NUM_CTX;
                        case "num_predict" -> n >= -1;
                        default -> true;
                    };
                    if (!ok) {
                        throw new NumberFormatException();
                    }
                    return new Parameter(key, Integer.toString(n));
                }
                default -> {
                    double d = Double.parseDouble(value);
                    boolean unit = key.equals("top_p") || key.equals("min_p");
                    if (Double.isNaN(d) || Double.isInfinite(d) || d < 0 || (unit && d > 1)) {
                        throw new NumberFormatException();
                    }
                    return new Parameter(key, value);
                }
            }
        } catch (NumberFormatException e) {
            throw new ModelfileException(lineNo, key + " must be " + expected + ", not '" + value + "'");
        }
    }

    /** Reads a """ block that opens on line {@code start} at column {@code col}; {@code end[0]} gets its last line. */
    private static String multiLine(String[] lines, int start, int col, int[] end, String instruction) {
        StringBuilder text = new StringBuilder();
        String rest = lines[start].substring(col);
        int i = start;
        while (true) {
            int close = rest.indexOf("\"\"\"");
            if (close >= 0) {
                text.append(rest, 0, close);
                String after = rest.substring(close + 3).strip();
                if (!after.isEmpty()) {
                    throw new ModelfileException(i + 1, "unexpected text after the closing \"\"\" of " + instruction
                            + ": '" + after + "'");
                }
                break;
            }
            text.append(rest).append('\n');
            i++;
            if (i >= lines.length) {
                throw new ModelfileException(start + 1, instruction + " opens a \"\"\" block that is never closed; "
                        + "end it with \"\"\"");
            }
            rest = lines[i];
        }
        end[0] = i;
        String value = text.toString();
        if (value.startsWith("\n")) {
            value = value.substring(1);
        }
        if (value.endsWith("\n")) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }

    private static String unquote(String s, int lineNo) {
        if (!s.startsWith("\"")) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '"' || s.charAt(i + 1) == '\\')) {
                out.append(s.charAt(++i));
            } else if (c == '"') {
                if (!s.substring(i + 1).isBlank()) {
                    throw new ModelfileException(lineNo, "unexpected text after the closing quote: '"
                            + s.substring(i + 1).strip() + "'");
                }
                return out.toString();
            } else {
                out.append(c);
            }
        }
        throw new ModelfileException(lineNo, "a quoted value is not closed; end it with \"");
    }

    private static String block(String s) {
        if (s.contains("\"\"\"")) {
            // A """ inside the text cannot be written in a """ block; a quoted string with escapes can hold it.
            return quote(s.replace("\n", " "));
        }
        // Multi-line text goes between lines of its own: parse drops exactly those two newlines again.
        return s.indexOf('\n') >= 0 ? "\"\"\"\n" + s + "\n\"\"\"" : "\"\"\"" + s + "\"\"\"";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String quoteIfNeeded(String s) {
        return s.startsWith("\"") || indexOfWhitespace(s) >= 0 ? quote(s) : s;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
