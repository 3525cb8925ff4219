// The Vercel AI SDK (ai 6.x) with @ai-sdk/openai-compatible and ollama-ai-provider-v2 against Botgate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateText, streamText, embed, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createOllama } from 'ollama-ai-provider-v2';
import { z } from 'zod';
import { URL, MODEL, EMBEDDING, checkWeatherArgs } from './env.mjs';

const compatible = createOpenAICompatible({ name: 'botgate', baseURL: `${URL}/v1` });
const ollama = createOllama({ baseURL: `${URL}/api` });
const tools = { get_weather: tool({ description: 'Weather for a city',
  inputSchema: z.object({ city: z.enum(['Oslo', 'Paris', 'Rome']), unit: z.enum(['C', 'F']) }) }) };

test('ai-sdk openai-compatible: forced tool call', async () => {
  const r = await generateText({ model: compatible.chatModel(MODEL), prompt: 'Weather in Oslo?', tools,
    toolChoice: 'required', maxOutputTokens: 200 });
  assert.equal(r.toolCalls[0].toolName, 'get_weather');
  checkWeatherArgs(assert, r.toolCalls[0].input);
});

test('ai-sdk openai-compatible: forced tool call, streamed', async () => {
  const s = streamText({ model: compatible.chatModel(MODEL), prompt: 'Weather?', tools,
    toolChoice: { type: 'tool', toolName: 'get_weather' }, maxOutputTokens: 200 });
  const calls = await s.toolCalls;
  assert.equal(calls[0].toolName, 'get_weather');
  checkWeatherArgs(assert, calls[0].input);
});

test('ai-sdk openai-compatible: tool result round trip', async () => {
  const r = await generateText({ model: compatible.chatModel(MODEL), tools, maxOutputTokens: 4, messages: [
    { role: 'user', content: 'Weather in Oslo?' },
    { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'call_1', toolName: 'get_weather',
      input: { city: 'Oslo', unit: 'C' } }] },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', toolName: 'get_weather',
      output: { type: 'text', value: 'sunny' } }] },
  ] });
  assert.ok(r.usage.inputTokens > 50);
});

test('ai-sdk openai-compatible: embeddings', async () => {
  const r = await embed({ model: compatible.textEmbeddingModel(EMBEDDING), value: '退货' });
  assert.equal(r.embedding.length, 512);
});

test('ai-sdk ollama-provider-v2: text', async () => {
  const r = await generateText({ model: ollama(MODEL), prompt: 'hello', maxOutputTokens: 4 });
  assert.equal(typeof r.text, 'string');
});

test('ai-sdk ollama-provider-v2: forced tool call', async () => {
  const r = await generateText({ model: ollama(MODEL), prompt: 'Weather in Oslo?', tools, toolChoice: 'required',
    maxOutputTokens: 200 });
  assert.equal(r.toolCalls[0].toolName, 'get_weather');
  checkWeatherArgs(assert, r.toolCalls[0].input);
});

test('ai-sdk ollama-provider-v2: embeddings', async () => {
  const r = await embed({ model: ollama.textEmbeddingModel(EMBEDDING), value: '退货' });
  assert.equal(r.embedding.length, 512);
});
