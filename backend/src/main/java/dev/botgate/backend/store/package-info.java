/** The store of local models: GGUF reader, pull, Modelfile variants, the catalogue of well-known models. */
package dev.botgate.backend.store;
