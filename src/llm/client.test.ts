// The Anthropic client against the local fake API: text and usage, cost, retries on 429/529 with retry-after, and failures.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../../test/fake-anthropic/server";
import { createAnthropicClient, describeLlmError } from "./client";
import { callCostUsd, modelPrice } from "./cost";

let fake: FakeAnthropic;
beforeAll(() => {
  fake = startFakeAnthropic(() => ({ kind: "text", text: "hello", outputTokens: 1000 }));
});
afterAll(() => fake.close());

const request = { model: "claude-sonnet-4-6", system: "be brief", messages: [{ role: "user" as const, content: "hi" }], maxTokens: 100 };

test("returns the text, the usage and its cost in USD", async () => {
  const client = createAnthropicClient({ apiKey: "test-key", baseURL: fake.url });
  const response = await client.complete(request);
  expect(response.text).toBe("hello");
  expect(response.tokensOut).toBe(1000);
  expect(response.tokensIn).toBeGreaterThan(0);
  expect(response.costUsd).toBeCloseTo(callCostUsd("claude-sonnet-4-6", response.tokensIn, 1000), 10);
  expect(fake.requests.at(-1)).toMatchObject({ system: "be brief", max_tokens: 100 });
  expect(fake.requests.at(-1)).not.toHaveProperty("temperature");
});

test("retries rate limits and overload, honouring retry-after, then succeeds", async () => {
  const waits: number[] = [];
  const client = createAnthropicClient({ apiKey: "k", baseURL: fake.url, sleep: async (ms) => void waits.push(ms), onRetry: () => {} });
  fake.script({ kind: "error", status: 429, type: "rate_limit_error", retryAfterSeconds: 3 }, { kind: "error", status: 529, type: "overloaded_error", retryAfterSeconds: 1 });
  const response = await client.complete(request);
  expect(response.text).toBe("hello");
  expect(waits).toEqual([3000, 1000]);
});

test("gives up after maxRetries and reports the API's error type", async () => {
  const client = createAnthropicClient({ apiKey: "k", baseURL: fake.url, maxRetries: 1, sleep: async () => {} });
  fake.script({ kind: "error", status: 529, type: "overloaded_error" }, { kind: "error", status: 529, type: "overloaded_error" });
  const error = await client.complete(request).catch((e) => e);
  expect(describeLlmError(error)).toBe("overloaded_error: Overloaded");
});

test("does not retry a bad request", async () => {
  let retries = 0;
  const client = createAnthropicClient({ apiKey: "k", baseURL: fake.url, sleep: async () => {}, onRetry: () => retries++ });
  fake.script({ kind: "error", status: 400, type: "invalid_request_error" });
  await expect(client.complete(request)).rejects.toThrow();
  expect(retries).toBe(0);
});

test("prices known model families and falls back for unknown ones", () => {
  expect(modelPrice("claude-opus-4-1").inputPerMTok).toBe(15);
  expect(modelPrice("claude-haiku-4-5").outputPerMTok).toBe(5);
  expect(modelPrice("mystery").known).toBe(false);
  expect(callCostUsd("claude-sonnet-4-6", 1_000_000, 1_000_000)).toBe(18);
});
