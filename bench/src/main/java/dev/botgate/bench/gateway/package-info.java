/** Benchmarks of the HTTP layer and the bot pipeline. */
package dev.botgate.bench.gateway;
