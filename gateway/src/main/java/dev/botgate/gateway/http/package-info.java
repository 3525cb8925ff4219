/**
 * The HTTP surface: the Ollama-compatible API under {@code /api}, the OpenAI-compatible API under {@code /v1},
 * the management API under {@code /admin}, platform callbacks under {@code /hooks}, health and metrics. One
 * {@code HttpService} per resource; exceptions become HTTP errors in {@link dev.botgate.gateway.http.HttpErrors}.
 */
package dev.botgate.gateway.http;
