/** On-demand benchmarks; each class's javadoc gives the command that runs it. */
package dev.botgate.bench;
