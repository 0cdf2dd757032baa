// Storable values: NUL and lone surrogates replaced, undefined dropped, and clean values left untouched (copy on write).
import { describe, expect, test } from "bun:test";
import { mayHoldUnstorableChars, replaceUnstorableChars, storableString } from "./json-values";

describe("replaceUnstorableChars", () => {
  test("a clean value comes back as the same object, nothing copied", () => {
    const clean = { a: [1, "two", { three: null }], b: { c: "ü 😀" } };
    expect(replaceUnstorableChars(clean)).toBe(clean);
  });

  test("NUL and lone surrogates in nested values and keys become U+FFFD; the input is not changed", () => {
    const dirty: Record<string, unknown> = { keep: { same: 1 }, list: ["ok", "a\u0000b", "half \ud83d"], ["k\u0000"]: "v", after: "\udc00" };
    const before = structuredClone(dirty);
    const clean = replaceUnstorableChars(dirty);
    expect(clean).toEqual({ keep: { same: 1 }, list: ["ok", "a\uFFFDb", "half \uFFFD"], ["k\uFFFD"]: "v", after: "\uFFFD" });
    expect(clean.keep).toBe(dirty.keep);
    expect(dirty).toEqual(before);
  });

  test("undefined object values are dropped, keeping the order of the rest", () => {
    const value: { a: number; gone?: undefined; b: Array<{ c?: undefined; d: number }> } = { a: 1, gone: undefined, b: [{ c: undefined, d: 2 }] };
    const clean = replaceUnstorableChars(value);
    expect(Object.keys(clean)).toEqual(["a", "b"]);
    expect(clean.b[0]).toEqual({ d: 2 });
    expect("c" in clean.b[0]!).toBe(false);
  });
});

describe("storable JSON text", () => {
  test("storableString keeps paired surrogates and replaces lone ones", () => {
    expect(storableString("😀")).toBe("😀");
    expect(storableString("\ud83d!")).toBe("\uFFFD!");
  });

  test("mayHoldUnstorableChars flags escaped NUL and surrogates, and clears plain text", () => {
    expect(mayHoldUnstorableChars(JSON.stringify({ a: "x\u0000" }))).toBe(true);
    expect(mayHoldUnstorableChars(JSON.stringify({ a: "\ud800" }))).toBe(true);
    expect(mayHoldUnstorableChars('{"a":"\\uD83D\\uDE00"}')).toBe(true);
    expect(mayHoldUnstorableChars(JSON.stringify({ a: "ü 😀 \\u0041" }))).toBe(false);
  });
});
