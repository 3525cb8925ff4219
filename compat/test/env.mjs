// Where the Botgate under test runs and what it serves; set by the Java test that starts it (CompatSuiteTest).
export const URL = process.env.BOTGATE_URL ?? 'http://127.0.0.1:8080';
export const MODEL = process.env.BOTGATE_MODEL ?? 'qwen-tools:latest';
export const EMBEDDING = 'bge-small-zh-v1.5';

// Tools whose arguments are enums: a forced call from the tiny random model ends in time and is checkable exactly (a
// free string from random weights may hold byte sequences that are not valid UTF-8).
export const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string', enum: ['Oslo', 'Paris', 'Rome'] }, unit: { type: 'string', enum: ['C', 'F'] } },
  required: ['city', 'unit'],
};
export const openAiTools = [{
  type: 'function',
  function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_SCHEMA },
}];

/** Asserts arguments follow WEATHER_SCHEMA. */
export function checkWeatherArgs(assert, args) {
  assert.ok(['Oslo', 'Paris', 'Rome'].includes(args.city), JSON.stringify(args));
  assert.ok(['C', 'F'].includes(args.unit), JSON.stringify(args));
}
