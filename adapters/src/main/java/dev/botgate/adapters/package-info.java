/** The chat-platform SPI: every adapter verifies and decodes a callback into a neutral inbound message, acknowledges it the platform's way and sends replies. One sub-package per platform. */
package dev.botgate.adapters;
