// Bench data: N Langfuse-shaped agent traces (~10 observations each) made by replicating a generated base set under fresh ids.
import { generateDemoTraces } from "../../src/modules/demo/generate";
import type { FakeLangfuseDataset } from "../../test/fake-langfuse/dataset";

type Json = Record<string, unknown>;

const BASE_COUNT = 1000;
let base: Json[] | null = null;

/** The i-th trace in the Langfuse detail shape (observations inline): unique ids, timestamps spread over 60 days. */
export function benchTrace(i: number): Json {
  base ??= generateDemoTraces({ count: BASE_COUNT, seed: 7, now: new Date("2026-11-01T00:00:00Z") }).map((t) => t.raw as Json);
  const source = base[i % BASE_COUNT]!;
  const id = `bench-${i.toString(36).padStart(6, "0")}`;
  const shiftMs = -Math.floor(i / BASE_COUNT) * 60_000;
  const shift = (iso: unknown) => (typeof iso === "string" ? new Date(Date.parse(iso) + shiftMs).toISOString() : iso);
  const observations = (source.observations as Json[]).map((o) => ({ ...o, id: `${id}-${String(o.id)}`, traceId: id, parentObservationId: o.parentObservationId ? `${id}-${String(o.parentObservationId)}` : null, startTime: shift(o.startTime), endTime: shift(o.endTime) }));
  return { ...source, id, timestamp: shift(source.timestamp), observations };
}

/** The same traces as a fake-Langfuse dataset (list items with observation ids, observations by trace). */
export function benchDataset(count: number): FakeLangfuseDataset {
  const dataset: FakeLangfuseDataset = { traces: [], observations: new Map(), v2Rows: new Map(), details: new Map() };
  for (let i = 0; i < count; i++) {
    const { observations, scores: _scores, ...trace } = benchTrace(i) as Json & { observations: Json[] };
    dataset.traces.push({ ...trace, observations: observations.map((o) => o.id), scores: [] });
    dataset.observations.set(String(trace.id), observations);
  }
  return dataset;
}

/** Writes `count` traces as JSONL, streaming, and returns the file's size. */
export async function writeJsonl(path: string, count: number): Promise<number> {
  const writer = Bun.file(path).writer();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify(benchTrace(i)) + "\n";
    bytes += Buffer.byteLength(line);
    writer.write(line);
    if (i % 1000 === 999) await writer.flush();
  }
  await writer.end();
  return bytes;
}
