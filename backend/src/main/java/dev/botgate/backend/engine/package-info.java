/**
 * The in-process inference engine: GGUF models run by llama.cpp (java-llama.cpp) inside this JVM.
 *
 * <p>{@link dev.botgate.backend.engine.Engine} is the seam the gateway talks to; the gateway's tests may put a fake
 * behind it, the engine's own tests run the real llama.cpp on a tiny generated GGUF. Fields of
 * {@link dev.botgate.backend.engine.GenerationOptions} may be {@code null}, meaning "not set here, use the
 * model's or the engine's default"; nothing else in this package's public API is nullable.
 */
package dev.botgate.backend.engine;
