package dev.botgate.backend.engine;

import dev.botgate.backend.store.TinyGguf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Tiny generated models behind a name → file resolver, and a listener that records events. */
final class TestModels {
    final Path dir;
    private final Map<String, ModelSpec> specs = new HashMap<>();

    TestModels() {
        try {
            dir = Files.createTempDirectory("engine-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a model written by {@code gguf} under {@code name}. */
    TestModels add(String name, TinyGguf gguf, String system, GenerationOptions defaults) {
        try {
            Path file = gguf.write(dir.resolve(name.replace(':', '_') + ".gguf"));
            specs.put(name, new ModelSpec(name, "sha256:test", file, system, Optional.empty(), 0, defaults));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Modelfile-style variant: the same GGUF as {@code base} with its own system prompt. */
    TestModels variant(String name, String base, String system) {
        ModelSpec b = specs.get(base);
        specs.put(name, new ModelSpec(name, b.digest(), b.gguf(), system, b.template(), b.numCtx(), b.defaults()));
        return this;
    }

    TestModels add(String name) {
        return add(name, TinyGguf.builder(), "", GenerationOptions.NONE);
    }

    ModelResolver resolver() {
        return name -> {
            ModelSpec spec = specs.get(name);
            if (spec == null) {
                throw new ModelNotFoundException(name);
            }
            return spec;
        };
    }

    EngineOptions.Builder options() {
        return EngineOptions.builder().threads(1).contextLength(128).parallel(4).nativeLibraryDirectory(dir.resolve("native"));
    }

    static GenerationOptions predict(int n) {
        return new GenerationOptions(null, null, null, null, null, null, n, null, null, null);
    }

    static GenerationOptions greedy(int n) {
        return new GenerationOptions(0.0, null, null, null, 1, null, n, null, null, null);
    }

    static GenerationRequest chat(String model, GenerationOptions options, String... userTurns) {
        return new GenerationRequest(model, new GenerationRequest.Chat(
                java.util.Arrays.stream(userTurns).map(t -> new ChatMessage("user", t)).toList()), options);
    }

    /** Records events and completes when the terminal one arrives. */
    static final class Recorder implements Consumer<GenerationEvent> {
        final List<GenerationEvent> events = new CopyOnWriteArrayList<>();
        final CompletableFuture<GenerationEvent> terminal = new CompletableFuture<>();

        @Override
        public void accept(GenerationEvent event) {
            events.add(event);
            if (!(event instanceof GenerationEvent.Token)) {
                terminal.complete(event);
            }
        }

        GenerationEvent awaitTerminal() {
            try {
                return terminal.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("no terminal event within 60 s; events so far: " + events, e);
            }
        }

        GenerationEvent.Done awaitDone() {
            GenerationEvent event = awaitTerminal();
            if (event instanceof GenerationEvent.Done done) {
                return done;
            }
            throw new AssertionError("expected Done, got " + event);
        }

        String text() {
            StringBuilder sb = new StringBuilder();
            events.forEach(e -> {
                if (e instanceof GenerationEvent.Token t) {
                    sb.append(t.text());
                }
            });
            return sb.toString();
        }
    }
}
