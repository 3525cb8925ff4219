// The official Ollama client (ollama 0.6.x) against Botgate's /api.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';
import { URL, MODEL, EMBEDDING, openAiTools, checkWeatherArgs } from './env.mjs';

const ollama = new Ollama({ host: URL });
const ask = [{ role: 'user', content: 'Weather in Oslo?' }];

test('ollama: server probe (GET /)', async () => {
  const r = await fetch(URL + '/');
  assert.equal(await r.text(), 'Ollama is running');
});

test('ollama: chat, streamed', async () => {
  let done;
  for await (const part of await ollama.chat({ model: MODEL, messages: ask, stream: true, options: { num_predict: 4 } })) {
    if (part.done) done = part;
  }
  assert.equal(done.eval_count, 4);
});

test('ollama: tool call (tool_choice, a Botgate extension Ollama lacks)', async () => {
  const r = await ollama.chat({ model: MODEL, messages: ask, tools: openAiTools, tool_choice: 'required',
    options: { num_predict: 200 } });
  const call = r.message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  checkWeatherArgs(assert, call.function.arguments);
});

test('ollama: tool call, streamed', async () => {
  const calls = [];
  for await (const part of await ollama.chat({ model: MODEL, messages: ask, tools: openAiTools, stream: true,
    tool_choice: 'required', options: { num_predict: 200 } })) {
    calls.push(...(part.message.tool_calls ?? []));
  }
  assert.equal(calls[0].function.name, 'get_weather');
  checkWeatherArgs(assert, calls[0].function.arguments);
});

test('ollama: tool result round trip', async () => {
  const r = await ollama.chat({ model: MODEL, tools: openAiTools, options: { num_predict: 4 }, messages: [
    ...ask,
    { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Oslo', unit: 'C' } } }] },
    { role: 'tool', content: 'sunny, 21 C' },
  ] });
  assert.ok(r.prompt_eval_count > 50);
});

test('ollama: generate returns context and continues from it', async () => {
  const first = await ollama.generate({ model: MODEL, prompt: 'hello', options: { num_predict: 3 } });
  assert.ok(first.context.length > 0);
  const second = await ollama.generate({ model: MODEL, prompt: 'hello', context: first.context, options: { num_predict: 3 } });
  assert.ok(second.prompt_eval_count > first.prompt_eval_count);
});

test('ollama: load and unload idioms answer at once', async () => {
  assert.equal((await ollama.generate({ model: MODEL, prompt: '' })).done_reason, 'load');
  assert.equal((await ollama.chat({ model: MODEL, messages: [], keep_alive: 0 })).done_reason, 'unload');
});

test('ollama: think', async () => {
  const r = await ollama.chat({ model: MODEL, messages: ask, think: true, options: { num_predict: 3 } });
  assert.equal(typeof r.message.content, 'string');
});

test('ollama: list, show (embedding model included)', async () => {
  const names = (await ollama.list()).models.map((m) => m.name);
  assert.ok(names.includes(MODEL) && names.includes(EMBEDDING + ':latest'), names.join());
  assert.deepEqual((await ollama.show({ model: EMBEDDING })).capabilities, ['embedding']);
  assert.ok((await ollama.show({ model: MODEL })).template.includes('tool_call'));
});

test('ollama: embed reports load_duration and prompt_eval_count', async () => {
  const r = await ollama.embed({ model: EMBEDDING, input: ['退货', '发票'] });
  assert.equal(r.embeddings.length, 2);
  assert.equal(typeof r.load_duration, 'number');
  assert.ok(r.prompt_eval_count > 0);
});

test('ollama: copy, and push and quantize refused', async () => {
  await ollama.copy({ source: MODEL, destination: 'compat-copy' });
  assert.ok((await ollama.list()).models.some((m) => m.name === 'compat-copy:latest'));
  await assert.rejects(ollama.push({ model: MODEL }), (e) => e.status_code === 501);
  await assert.rejects(ollama.create({ model: 'q', from: MODEL, quantize: 'q4_K_M' }),
    (e) => e.status_code === 400 && /quantize/.test(e.message));
});

test('ollama: images refused as text-only', async () => {
  await assert.rejects(ollama.chat({ model: MODEL, messages: [{ role: 'user', content: 'what', images: ['AAAA'] }] }),
    (e) => e.status_code === 400 && /text-only/.test(e.message));
});
