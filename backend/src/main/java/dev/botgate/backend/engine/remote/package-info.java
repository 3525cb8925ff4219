/**
 * Remote inference engines: OpenAI-compatible servers (vLLM, SGLang, llama.cpp's server, LM Studio, cloud APIs) and
 * Ollama, each one server or a pool, driven over HTTP with the JDK client and streamed line by line.
 *
 * <p>{@link dev.botgate.backend.engine.remote.RemoteEngine} implements the same
 * {@link dev.botgate.backend.engine.Engine} as the in-process engine; {@link dev.botgate.backend.engine.RoutingEngine}
 * puts both behind one. The remote APIs' wire formats stay package-private here. Nothing in this package's public API
 * is nullable.
 */
package dev.botgate.backend.engine.remote;
