// Minified trace views for prompts: long texts clipped with markers, repeated structure folded, noise fields dropped.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface MinifyOptions {
  /** Longest string kept whole; longer ones keep their head and tail around a marker. */
  maxString: number;
  /** Array items shown before the rest are folded into a count. */
  maxItems: number;
  /** Rubric text: timing, cost and token fields are kept only when it talks about them. */
  rubric?: string;
}

/** Rough tokens for a text: ~4 characters per token for English and JSON; shown to users as an estimate. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Ids, source bookkeeping and timestamps say nothing an eval decides on; they are dropped. */
const ALWAYS_DROPPED = new Set(["id", "external_id", "source", "session_id", "user_id", "parent_id", "step_id", "started_at", "ended_at", "timestamp", "tool_call_id"]);
const COST_FIELDS = new Set(["latency_ms", "duration_ms", "cost_usd", "usage", "model"]);
const COST_WORDS = /\b(latenc\w*|slow\w*|fast\w*|time\w*|second\w*|durations?|costs?|expensive|tokens?|budget|model)\b/i;

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil(max * 0.7);
  const tail = Math.max(0, max - head);
  return `${text.slice(0, head)}…[${text.length - head - tail} chars clipped]…${tail ? text.slice(-tail) : ""}`;
}

function shapeOf(value: Json): string {
  if (Array.isArray(value)) return "array";
  if (value && typeof value === "object") return Object.keys(value).sort().join(",");
  return typeof value;
}

function minifyValue(value: Json, options: MinifyOptions, keepCost: boolean): Json {
  if (typeof value === "string") return clip(value, options.maxString);
  if (Array.isArray(value)) {
    const items = value.map((v) => minifyValue(v, options, keepCost));
    if (items.length <= options.maxItems) return items;
    // Many items of one shape (rows, search hits) are folded: the first few show the structure.
    const sameShape = new Set(value.map(shapeOf)).size === 1;
    const folded = items.length - options.maxItems;
    return [...items.slice(0, options.maxItems), `…${folded} more ${sameShape ? "items of the same shape" : "items"}`];
  }
  if (value && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [key, v] of Object.entries(value)) {
      if (ALWAYS_DROPPED.has(key) || (!keepCost && COST_FIELDS.has(key))) continue;
      if (v === null || (Array.isArray(v) && v.length === 0) || (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)) continue;
      out[key] = minifyValue(v, options, keepCost);
    }
    return out;
  }
  return value;
}

/**
 * The trace an example shows the model. The conversation appears once: llm steps' inputs (which repeat the
 * messages so far) become a count, and tool_calls (which repeat the tool steps) are left out.
 */
export function minifyTrace(trace: Record<string, unknown>, options: MinifyOptions): string {
  const keepCost = options.rubric ? COST_WORDS.test(options.rubric) : false;
  const steps = Array.isArray(trace.steps) ? (trace.steps as Record<string, unknown>[]) : [];
  const compactSteps = steps.map((step) => {
    const input = step.type === "llm" && step.input && typeof step.input === "object" ? `[model input: the conversation so far]` : step.input;
    const level = step.level === "default" ? undefined : step.level;
    return { ...step, input, level };
  });
  const { tool_calls: _toolCalls, has_errors: hasErrors, ...rest } = trace;
  const view = { ...rest, has_errors: hasErrors ? true : undefined, steps: compactSteps } as Record<string, unknown>;
  const cleaned = JSON.parse(JSON.stringify(view)) as Json;
  return JSON.stringify(minifyValue(cleaned, options, keepCost));
}

/** Tightens clipping and folding until the view fits `maxTokens` (or cannot shrink further). */
export function minifyWithinBudget(trace: Record<string, unknown>, maxTokens: number, rubric?: string): { text: string; tokens: number; clipped: boolean } {
  const ladder: Omit<MinifyOptions, "rubric">[] = [
    { maxString: 2000, maxItems: 12 },
    { maxString: 800, maxItems: 8 },
    { maxString: 400, maxItems: 5 },
    { maxString: 200, maxItems: 3 },
    { maxString: 100, maxItems: 2 },
  ];
  let text = "";
  for (const [index, step] of ladder.entries()) {
    text = minifyTrace(trace, { ...step, rubric });
    if (estimateTokens(text) <= maxTokens) return { text, tokens: estimateTokens(text), clipped: index > 0 };
  }
  const hard = clip(text, maxTokens * 4);
  return { text: hard, tokens: estimateTokens(hard), clipped: true };
}
