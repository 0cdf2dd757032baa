// Loads one quality-bench task directory: Langfuse traces normalized by the product's own normalizer, labels (train only, or both splits), rubric.
import { existsSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { normalizeLangfuseTraceDetail } from "../../src/modules/ingest/normalize/langfuse.ts";
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema.ts";

export interface BenchLabel {
  traceId: string;
  label: "positive" | "negative";
  split: "train" | "test";
}

export interface BenchTask {
  name: string;
  traces: NormalizedTrace[];
  /** The Langfuse payloads as read, imported into the database beside their normalized form. */
  raw: unknown[];
  labels: BenchLabel[];
  rubric?: string;
}

function readJsonLines(path: string): unknown[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as unknown);
}

/** Keeps only what the product may see of a label: grading metadata (noisy, criteria_failed) is dropped here. */
function toBenchLabel(row: unknown): BenchLabel {
  const { traceId, label, split = "train" } = row as Record<string, unknown>;
  // A labels file without a split column holds only training labels (the held-out set is scored elsewhere).
  if (typeof traceId !== "string" || (label !== "positive" && label !== "negative") || (split !== "train" && split !== "test")) {
    throw new Error(`bad label row: ${JSON.stringify(row).slice(0, 200)}`);
  }
  return { traceId, label, split };
}

export function loadTask(dir: string): BenchTask {
  const rubricPath = join(dir, "rubric.md");
  const raw = readJsonLines(join(dir, "traces.jsonl"));
  return {
    name: basename(dir),
    traces: raw.map((detail) => normalizeLangfuseTraceDetail(detail).normalized),
    raw,
    labels: readJsonLines(join(dir, "labels.jsonl")).map(toBenchLabel),
    rubric: existsSync(rubricPath) ? readFileSync(rubricPath, "utf8") : undefined,
  };
}
