/**
 * The conversation pipeline: an inbound platform message is deduplicated, recorded durably, answered in order per
 * conversation (a direct Q&amp;A answer, the fallback, or a model answer grounded in retrieved passages) and its
 * reply sent through the platform's adapter. Nothing here knows HTTP.
 */
package dev.botgate.gateway.pipeline;
