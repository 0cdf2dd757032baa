// Turns Langfuse observations into normalized steps: type/level/error/usage/cost per step, orphans re-rooted, start-time order.
import type { NormalizedStep, NormalizedUsage, StepLevel, StepType } from "../../traces/normalized-schema.ts";
import { asJson, isRecord, roundCost, toEpochMs, toFiniteNumber, toIso } from "./json-values.ts";
import type { LangfuseObservation } from "./langfuse-shapes.ts";
import { errorInToolOutput } from "./tool-calls.ts";

const TYPE_BY_OBSERVATION_TYPE: Record<string, StepType> = {
  GENERATION: "llm",
  TOOL: "tool",
  RETRIEVER: "retrieval",
  // An embedding call belongs to a retrieval pipeline; calling it "llm" would make "the last llm step" ambiguous for evals.
  EMBEDDING: "retrieval",
  AGENT: "agent",
  EVENT: "event",
  GUARDRAIL: "guardrail",
};

const LEVEL_BY_SOURCE: Record<string, StepLevel> = { DEBUG: "debug", DEFAULT: "default", WARNING: "warning", ERROR: "error" };

const TOOL_SPAN_PREFIX = "tool:";

export interface StepWithSource {
  step: NormalizedStep;
  observation: LangfuseObservation;
  startedAtMs: number;
  endedAtMs: number | null;
}

/** Steps sorted by start time; ties put parents before children, then order by id, so the result never depends on API order. */
export function buildSteps(observations: readonly LangfuseObservation[]): StepWithSource[] {
  const ids = new Set(observations.map((observation) => observation.id));
  const parentOf = new Map<string, string | null>();
  for (const observation of observations) {
    const parent = observation.parentObservationId;
    // Orphans (parent missing, e.g. after a partial export) become roots so every parent_id resolves; raw keeps the original id.
    parentOf.set(observation.id, parent !== null && ids.has(parent) && parent !== observation.id ? parent : null);
  }
  const depthOf = depthsOf(parentOf);

  const built = observations.map((observation) => toStep(observation, parentOf.get(observation.id) ?? null));
  return built.sort(
    (a, b) =>
      a.startedAtMs - b.startedAtMs ||
      (depthOf.get(a.step.id) ?? 0) - (depthOf.get(b.step.id) ?? 0) ||
      (a.step.id < b.step.id ? -1 : a.step.id > b.step.id ? 1 : 0),
  );
}

function depthsOf(parentOf: ReadonlyMap<string, string | null>): Map<string, number> {
  const depths = new Map<string, number>();
  const depth = (id: string, seen: Set<string>): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const parent = parentOf.get(id) ?? null;
    // A parent cycle in bad data must not recurse forever; the cycle's members simply count as roots.
    const value = parent === null || seen.has(parent) ? 0 : depth(parent, seen.add(id)) + 1;
    depths.set(id, value);
    return value;
  };
  for (const id of parentOf.keys()) depth(id, new Set());
  return depths;
}

function toStep(observation: LangfuseObservation, parentId: string | null): StepWithSource {
  const startedAtMs = toEpochMs(observation.startTime, `observation ${observation.id} startTime`, "invalid_langfuse");
  const endedAtMs =
    observation.endTime === null ? null : toEpochMs(observation.endTime, `observation ${observation.id} endTime`, "invalid_langfuse");
  const type = stepType(observation);
  const level = LEVEL_BY_SOURCE[(observation.level ?? "DEFAULT").toUpperCase()] ?? "default";
  const step: NormalizedStep = {
    id: observation.id,
    parent_id: parentId,
    type,
    name: observation.name,
    input: asJson(observation.input),
    output: asJson(observation.output),
    error: stepError(level, type, observation),
    level,
    started_at: toIso(startedAtMs),
    ended_at: endedAtMs === null ? null : toIso(endedAtMs),
    duration_ms: endedAtMs === null ? null : Math.max(0, endedAtMs - startedAtMs),
    model: observation.model,
    usage: stepUsage(observation),
    cost_usd: stepCost(observation),
  };
  return { step, observation, startedAtMs, endedAtMs };
}

function stepType(observation: LangfuseObservation): StepType {
  const mapped = TYPE_BY_OBSERVATION_TYPE[observation.type.toUpperCase()];
  if (mapped) return mapped;
  return isToolSpan(observation) ? "tool" : "span";
}

/** Older SDKs record tools as SPANs: named "tool:<name>", or carrying the model's tool_call_id in metadata. */
function isToolSpan(observation: LangfuseObservation): boolean {
  return (observation.name ?? "").startsWith(TOOL_SPAN_PREFIX) || toolCallIdOf(observation) !== null;
}

export function toolCallIdOf(observation: LangfuseObservation): string | null {
  const id = isRecord(observation.metadata) ? observation.metadata.tool_call_id : undefined;
  return typeof id === "string" && id !== "" ? id : null;
}

export function toolNameOf(step: NormalizedStep): string {
  const name = step.name ?? "tool";
  return name.startsWith(TOOL_SPAN_PREFIX) ? name.slice(TOOL_SPAN_PREFIX.length) : name;
}

function stepError(level: StepLevel, type: StepType, observation: LangfuseObservation): string | null {
  const outputError = errorInToolOutput(observation.output);
  if (level === "error") return observation.statusMessage || outputError || "failed (level ERROR, no status message)";
  // Tools often report failure in their result rather than through the observation level.
  return type === "tool" ? outputError : null;
}

// usageDetails is authoritative when the API sends it (even empty: then nothing was counted); the legacy fields are the fallback.
function stepUsage(observation: LangfuseObservation): NormalizedUsage | null {
  if (isRecord(observation.usageDetails)) {
    const entries = Object.entries(observation.usageDetails);
    if (entries.length === 0) return null;
    return {
      input_tokens: sumWhereKey(entries, "input"),
      output_tokens: sumWhereKey(entries, "output"),
    };
  }
  const input = toFiniteNumber(observation.legacyUsage.input) ?? 0;
  const output = toFiniteNumber(observation.legacyUsage.output) ?? 0;
  if (input === 0 && output === 0) return null;
  return { input_tokens: Math.max(0, Math.round(input)), output_tokens: Math.max(0, Math.round(output)) };
}

function sumWhereKey(entries: Array<[string, unknown]>, needle: string): number {
  const sum = entries.reduce((total, [key, value]) => (key.includes(needle) ? total + (toFiniteNumber(value) ?? 0) : total), 0);
  return Math.max(0, Math.round(sum));
}

// Langfuse writes calculatedTotalCost = 0 for unpriced observations, so a 0 without a cost breakdown means "unknown".
function stepCost(observation: LangfuseObservation): number | null {
  if (isRecord(observation.costDetails) && Object.keys(observation.costDetails).length > 0) {
    const details = observation.costDetails;
    const total = toFiniteNumber(details.total);
    if (total !== null) return Math.max(0, total);
    const sum = Object.values(details).reduce<number>((acc, value) => acc + (toFiniteNumber(value) ?? 0), 0);
    return Math.max(0, roundCost(sum));
  }
  const total = toFiniteNumber(observation.totalCost);
  return total !== null && total > 0 ? total : null;
}
