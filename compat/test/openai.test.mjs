// The official OpenAI SDK (openai 6.x) against Botgate's /v1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { URL, MODEL, EMBEDDING, openAiTools, checkWeatherArgs } from './env.mjs';

const client = new OpenAI({ baseURL: `${URL}/v1`, apiKey: 'unused', maxRetries: 0 });
const ask = [{ role: 'user', content: 'Weather in Oslo?' }];

test('openai: chat completion', async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: ask, max_tokens: 4 });
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.equal(r.usage.completion_tokens, 4);
});

test('openai: forced tool call', async () => {
  const r = await client.chat.completions.create({ model: MODEL, messages: ask, tools: openAiTools,
    tool_choice: 'required', max_tokens: 200 });
  assert.equal(r.choices[0].finish_reason, 'tool_calls');
  const call = r.choices[0].message.tool_calls[0];
  assert.match(call.id, /^call_/);
  assert.equal(call.function.name, 'get_weather');
  checkWeatherArgs(assert, JSON.parse(call.function.arguments));
});

test('openai: forced tool call, streamed', async () => {
  const stream = await client.chat.completions.create({ model: MODEL, messages: ask, tools: openAiTools,
    tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 200, stream: true });
  const calls = [];
  let finish;
  for await (const chunk of stream) {
    for (const d of chunk.choices[0]?.delta?.tool_calls ?? []) {
      calls[d.index] ??= { name: '', arguments: '' };
      calls[d.index].name += d.function?.name ?? '';
      calls[d.index].arguments += d.function?.arguments ?? '';
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(finish, 'tool_calls');
  assert.equal(calls[0].name, 'get_weather');
  checkWeatherArgs(assert, JSON.parse(calls[0].arguments));
});

test('openai: tool result round trip', async () => {
  const r = await client.chat.completions.create({ model: MODEL, tools: openAiTools, max_tokens: 4, messages: [
    ...ask,
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Oslo","unit":"C"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21 C' },
  ] });
  assert.ok(r.usage.prompt_tokens > 50, 'the call and its result are in the prompt');
});

test('openai: models list and retrieve', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.ok(ids.includes(MODEL), ids.join());
  assert.equal((await client.models.retrieve(MODEL)).id, MODEL);
  await assert.rejects(client.models.retrieve('no-such-model'), (e) => e.status === 404);
});

test('openai: legacy completions', async () => {
  const r = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 3 });
  assert.equal(r.object, 'text_completion');
  assert.equal(typeof r.choices[0].text, 'string');
});

test('openai: responses, text', async () => {
  const r = await client.responses.create({ model: MODEL, input: 'hello', max_output_tokens: 4 });
  assert.equal(r.object, 'response');
  assert.equal(typeof r.output_text, 'string');
  assert.equal(r.usage.output_tokens, 4);
});

test('openai: responses, streamed events', async () => {
  const stream = await client.responses.create({ model: MODEL, input: 'hello', max_output_tokens: 4, stream: true });
  const types = [];
  let text = '';
  for await (const e of stream) {
    types.push(e.type);
    if (e.type === 'response.output_text.delta') text += e.delta;
  }
  assert.equal(types[0], 'response.created');
  assert.ok(types.includes('response.output_text.done'), types.join());
  assert.ok(['response.completed', 'response.incomplete'].includes(types.at(-1)), types.join());
  assert.equal(typeof text, 'string');
});

test('openai: responses, forced function call', async () => {
  const r = await client.responses.create({ model: MODEL, input: 'Weather in Oslo?', max_output_tokens: 200,
    tools: [{ type: 'function', name: 'get_weather', parameters: openAiTools[0].function.parameters }],
    tool_choice: 'required' });
  const call = r.output.find((o) => o.type === 'function_call');
  assert.ok(call, JSON.stringify(r.output));
  checkWeatherArgs(assert, JSON.parse(call.arguments));
});

test('openai: embeddings (base64 by default), dimensions refused', async () => {
  const r = await client.embeddings.create({ model: EMBEDDING, input: '退货' });
  assert.equal(r.data[0].embedding.length, 512);
  await assert.rejects(client.embeddings.create({ model: EMBEDDING, input: 'x', dimensions: 256 }),
    (e) => e.status === 400 && /512/.test(e.message));
});

test('openai: logprobs refused with a reason', async () => {
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: ask, logprobs: true, top_logprobs: 2 }),
    (e) => e.status === 400 && /logprobs/.test(e.message));
});

test('openai: image part refused as text-only', async () => {
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: [
    { type: 'text', text: 'what is this' },
    { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] }),
  (e) => e.status === 400 && /text-only/.test(e.message));
});
