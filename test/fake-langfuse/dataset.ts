// What the fake Langfuse serves: trace list items with their observations, from the curated fixtures or from the demo generator.
import {
  fixtureDetail,
  fixtureObservations,
  fixtureScenarios,
  fixtureTraces,
  fixtureV2Rows,
  type JsonRecord,
} from "../fixtures/langfuse/index.ts";
import { generateDemoTraces } from "../../src/modules/demo/generate.ts";

export interface FakeLangfuseDataset {
  /** Trace list items (GET /api/public/traces shape); `observations` holds ids. */
  traces: JsonRecord[];
  /** Full v1 observations by trace id. */
  observations: Map<string, JsonRecord[]>;
  /** Recorded v2 rows by trace id; traces without recorded rows get rows derived from v1. */
  v2Rows: Map<string, JsonRecord[]>;
  /** Recorded detail payloads by trace id; other traces get a detail assembled from list item + observations. */
  details: Map<string, JsonRecord>;
}

export function fixtureDataset(): FakeLangfuseDataset {
  const dataset = emptyDataset();
  dataset.traces = fixtureTraces();
  for (const { traceId } of fixtureScenarios()) {
    dataset.observations.set(traceId, fixtureObservations(traceId));
    const rows = fixtureV2Rows(traceId);
    if (rows) dataset.v2Rows.set(traceId, rows);
    const detail = fixtureDetail(traceId);
    if (detail) dataset.details.set(traceId, detail);
  }
  return dataset;
}

/** A deterministic large dataset for import benchmarks: `count` demo agent traces (about 10 observations each). */
export function generatedDataset(options: { count: number; seed?: number; now?: Date }): FakeLangfuseDataset {
  const dataset = emptyDataset();
  for (const { raw } of generateDemoTraces(options)) {
    const { observations, scores: _scores, ...trace } = raw as JsonRecord & { observations: JsonRecord[]; scores?: unknown };
    dataset.traces.push({ ...trace, observations: observations.map((observation) => observation.id), scores: [] });
    dataset.observations.set(String(trace.id), observations);
  }
  return dataset;
}

function emptyDataset(): FakeLangfuseDataset {
  return { traces: [], observations: new Map(), v2Rows: new Map(), details: new Map() };
}
