// LangChain JS (@langchain/openai, @langchain/ollama) against Botgate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { ChatOllama, OllamaEmbeddings } from '@langchain/ollama';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { URL, MODEL, EMBEDDING, checkWeatherArgs } from './env.mjs';

const weather = tool(async () => 'sunny', {
  name: 'get_weather', description: 'Weather for a city',
  schema: z.object({ city: z.enum(['Oslo', 'Paris', 'Rome']), unit: z.enum(['C', 'F']) }),
});
const openai = new ChatOpenAI({ model: MODEL, apiKey: 'unused', configuration: { baseURL: `${URL}/v1` },
  maxTokens: 200, maxRetries: 0 });

test('langchain-openai: bindTools with tool_choice required', async () => {
  const msg = await openai.bindTools([weather], { tool_choice: 'required' }).invoke('Weather in Oslo?');
  assert.equal(msg.tool_calls[0].name, 'get_weather');
  checkWeatherArgs(assert, msg.tool_calls[0].args);
});

test('langchain-openai: bindTools, streamed', async () => {
  let all;
  for await (const chunk of await openai.bindTools([weather], { tool_choice: 'get_weather' }).stream('Weather?')) {
    all = all ? all.concat(chunk) : chunk;
  }
  assert.equal(all.tool_calls[0].name, 'get_weather');
  checkWeatherArgs(assert, all.tool_calls[0].args);
});

test('langchain-openai: withStructuredOutput functionCalling', async () => {
  const out = await openai.withStructuredOutput(z.object({ city: z.enum(['Oslo', 'Paris', 'Rome']), unit: z.enum(['C', 'F']) }),
    { method: 'functionCalling', name: 'weather' }).invoke('Weather in Oslo?');
  checkWeatherArgs(assert, out);
});

test('langchain-openai: tool result round trip', async () => {
  const msg = await new ChatOpenAI({ model: MODEL, apiKey: 'unused', configuration: { baseURL: `${URL}/v1` },
    maxTokens: 4 }).bindTools([weather]).invoke([
    new HumanMessage('Weather in Oslo?'),
    new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo', unit: 'C' } }] }),
    new ToolMessage({ tool_call_id: 'call_1', content: 'sunny' }),
  ]);
  assert.ok(msg.usage_metadata.input_tokens > 50);
});

test('langchain-openai: embeddings', async () => {
  const e = new OpenAIEmbeddings({ model: EMBEDDING, apiKey: 'unused', configuration: { baseURL: `${URL}/v1` } });
  assert.equal((await e.embedQuery('退货')).length, 512);
});

test('langchain-ollama: chat and tool result round trip', async () => {
  const chat = new ChatOllama({ model: MODEL, baseUrl: URL, numPredict: 4 });
  assert.equal(typeof (await chat.invoke('hi')).content, 'string');
  const msg = await chat.bindTools([weather]).invoke([
    new HumanMessage('Weather in Oslo?'),
    new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'get_weather', args: { city: 'Oslo', unit: 'C' } }] }),
    new ToolMessage({ tool_call_id: 'call_1', content: 'sunny' }),
  ]);
  assert.ok(msg.usage_metadata.input_tokens > 50);
});

test('langchain-ollama: embeddings', async () => {
  const e = new OllamaEmbeddings({ model: EMBEDDING, baseUrl: URL });
  assert.equal((await e.embedQuery('退货')).length, 512);
});
