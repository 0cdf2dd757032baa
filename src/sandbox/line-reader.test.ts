// splitLines: lines across chunk boundaries, the length cap, and unterminated last lines.
import { describe, expect, test } from "bun:test";
import { LineTooLongError, splitLines } from "./line-reader.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function lines(stream: ReadableStream<Uint8Array>, max = 100, keepUnterminated = false): Promise<string[]> {
  const found: string[] = [];
  for await (const line of splitLines(stream, max, keepUnterminated)) found.push(line);
  return found;
}

describe("splitLines", () => {
  test("joins lines split across chunks, including multi-byte characters", async () => {
    const bytes = new TextEncoder().encode("héllo\nwo");
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.subarray(0, 2)); // cuts "é" in half
        controller.enqueue(bytes.subarray(2));
        controller.enqueue(new TextEncoder().encode("rld\n\nlast\n"));
        controller.close();
      },
    });
    expect(await lines(split)).toEqual(["héllo", "world", "", "last"]);
  });

  test("drops an unterminated last line unless asked to keep it", async () => {
    expect(await lines(streamOf("a\nb"))).toEqual(["a"]);
    expect(await lines(streamOf("a\nb"), 100, true)).toEqual(["a", "b"]);
  });

  test("refuses a line over the cap, whether or not it is terminated", async () => {
    await expect(lines(streamOf("x".repeat(60), "x".repeat(60), "\n"))).rejects.toBeInstanceOf(LineTooLongError);
    await expect(lines(streamOf("x".repeat(150)))).rejects.toBeInstanceOf(LineTooLongError);
    expect(await lines(streamOf("x".repeat(100) + "\n"))).toEqual(["x".repeat(100)]);
  });
});
