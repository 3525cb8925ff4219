/**
 * The store of local models: a pure-Java GGUF reader ({@link dev.botgate.backend.store.GgufFile}), the check that
 * keeps files the bundled llama.cpp cannot run away from it ({@link dev.botgate.backend.store.ModelCheck}), the
 * catalogue of well-known models, pulls with resume, Modelfile variants, and
 * {@link dev.botgate.backend.store.ModelStore}, which the gateway's CLI and HTTP routes call and which resolves model
 * names for the engine.
 *
 * <p>Nothing in this package's public API is {@code null}: absent values are {@code Optional}, empty strings or 0,
 * as each type documents. Errors are unchecked {@link dev.botgate.backend.engine.EngineException}s:
 * {@link dev.botgate.backend.engine.ModelNotFoundException} (404), {@link dev.botgate.backend.store.PullException}
 * with a kind, {@link dev.botgate.backend.engine.InvalidRequestException} subclasses for refused files, bad names and
 * Modelfiles (400), {@link dev.botgate.backend.store.StoreException} for I/O failures (500).
 */
package dev.botgate.backend.store;
