/** The application: one main(), configuration, wiring. */
package dev.botgate.gateway;
