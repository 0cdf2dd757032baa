// detectAndNormalize routes each record shape to its normalizer and explains what it expected otherwise.
import { describe, expect, test } from "bun:test";
import {
  fixtureDetail,
  fixtureObservations,
  fixtureTrace,
  fixtureV2Rows,
  traceIdOf,
} from "../../../../test/fixtures/langfuse/index.ts";
import { detectAndNormalize } from "./detect.ts";
import { normalizeLangfuseTrace } from "./langfuse.ts";
import { NormalizeError } from "./normalize-error.ts";

const refundId = traceIdOf("refund");
const expected = normalizeLangfuseTrace(fixtureTrace(refundId), fixtureObservations(refundId)).normalized;

function errorOf(record: unknown): NormalizeError {
  try {
    detectAndNormalize(record);
  } catch (error) {
    expect(error).toBeInstanceOf(NormalizeError);
    return error as NormalizeError;
  }
  throw new Error("expected a NormalizeError");
}

describe("detectAndNormalize", () => {
  test("Langfuse detail, {trace, observations} v1 and v2 all give the same normalized trace", () => {
    const detail = detectAndNormalize(fixtureDetail(refundId));
    expect(detail.format).toBe("langfuse-detail");
    expect(detail.normalized).toEqual(expected);
    const v1 = detectAndNormalize({ trace: fixtureTrace(refundId), observations: fixtureObservations(refundId) });
    expect(v1.format).toBe("langfuse-v1");
    expect(v1.normalized).toEqual(expected);
    const v2 = detectAndNormalize({ trace: fixtureTrace(refundId), observations: fixtureV2Rows(refundId) });
    expect(v2.format).toBe("langfuse-v2");
    expect(v2.normalized).toEqual(expected);
  });

  test("a normalized trace and an OpenAI chat record are recognized", () => {
    expect(detectAndNormalize(structuredClone(expected))).toMatchObject({ format: "normalized", normalized: expected });
    const chat = detectAndNormalize({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }] }, {
      fallbackTimestamp: new Date("2026-01-01T00:00:00Z"),
    });
    expect(chat.format).toBe("openai");
    expect(chat.normalized.output).toBe("hello");
  });

  test("unrecognized records get a specific message", () => {
    const unknown = errorOf({ foo: 1, bar: 2 });
    expect(unknown.code).toBe("unrecognized_shape");
    expect(unknown.message).toContain("keys: foo, bar");
    expect(unknown.message).toContain("OpenAI chat record");
    expect(errorOf([1, 2]).message).toContain("an array of 2 items");
    expect(errorOf("text").message).toContain("got a string");
    expect(errorOf(fixtureTrace(refundId)).message).toContain("trace list item");
  });

  test("a recognized but invalid record gets that format's error", () => {
    expect(errorOf({ messages: [{ content: "no role" }] }).code).toBe("invalid_openai");
    expect(errorOf({ ...expected, steps: "nope" }).code).toBe("invalid_normalized");
    expect(errorOf({ id: "t", timestamp: "2026-01-01T00:00:00Z", observations: [{ id: "o" }] }).code).toBe("invalid_langfuse");
  });
});
