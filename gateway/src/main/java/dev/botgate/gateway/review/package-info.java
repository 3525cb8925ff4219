/**
 * The review queue: every fallback, operator thumbs-down and handoff is kept, grouped by similar question, until an
 * operator resolves it in one step (attach the question to a Q&amp;A entry as a similar phrasing, write a new entry,
 * or dismiss); the knowledge base changes at once and the resolution is recorded.
 */
package dev.botgate.gateway.review;
