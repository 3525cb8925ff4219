/**
 * The {@code botgate} command line: a thin client of the running server's HTTP API (found through
 * {@code BOTGATE_HOST}), working on the data directory directly where no server runs and that makes sense.
 */
package dev.botgate.gateway.cli;
