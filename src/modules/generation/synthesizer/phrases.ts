// Mining of discriminative words and word pairs from labelled traces, with the rubric as a weak prior.
import { STOPWORDS, droppedPhraseFeature, type Feature, frequentTools, phraseFeature } from "./features";
import { type TextField, tokensOf, type TraceView } from "./trace-view";

export interface MiningOptions {
  /** Phrases kept per field, best first. */
  perField: number;
  /** A phrase must occur in at least this many training traces. */
  minTraces: number;
  /** Phrases spelled in the rubric get their score multiplied by this (see `rubricTerms`). */
  rubricBoost: number;
}

/** rubricBoost 3 (was 1.5): the rubric is the reviewer's own statement of the criteria; +0.01 mean test κ on the visible bench. */
export const DEFAULT_MINING: MiningOptions = { perField: 40, minTraces: 3, rubricBoost: 3 };

const COMMON_WORDS = new Set(Object.values(STOPWORDS).flat());

/** Content words of the rubric (3+ letters, not stopwords): phrases made only of these are favoured. */
export function rubricTerms(rubric: string | undefined): Set<string> {
  return new Set(tokensOf(rubric ?? "").filter((t) => t.length >= 3 && !COMMON_WORDS.has(t)));
}

const DIGITS_ONLY = /^[0-9]+$/;

/** Phrases of only stopwords, single characters or bare numbers separate classes by accident, not meaning. */
function informative(phrase: string): boolean {
  return phrase.split(" ").some((t) => !COMMON_WORDS.has(t) && t.length > 1 && !DIGITS_ONLY.test(t));
}

type Source = { field: TextField; make: (phrase: string) => Feature; grams: (v: TraceView) => Set<string> };

function sources(trainViews: readonly TraceView[]): Source[] {
  const fields: TextField[] = ["output", "input", "tool_args", "tool_output", ...frequentTools(trainViews).map((t) => `args:${t}` as const)];
  const plain = fields.map((field) => ({ field, make: (p: string) => phraseFeature(field, p), grams: (v: TraceView) => v.grams(field) }));
  const dropped: Source = {
    field: "tool_output",
    make: droppedPhraseFeature,
    grams: (v) => {
      const kept = v.grams("output");
      return new Set([...v.grams("tool_output")].filter((g) => !kept.has(g)));
    },
  };
  return [...plain, dropped];
}

/**
 * Phrase features whose presence best separates failed from passed training traces, scored by the gap
 * between the two classes' rates (|rate in fails - rate in passes|), which favours phrases that cover
 * many traces of one class — what a short rule list needs. Only the given training traces are read.
 */
export function minePhraseFeatures(views: readonly TraceView[], failed: readonly boolean[], rubric: Set<string>, options: MiningOptions = DEFAULT_MINING): Feature[] {
  const fails = failed.filter(Boolean).length;
  const passes = failed.length - fails;
  if (fails === 0 || passes === 0) return [];
  const features: Feature[] = [];
  for (const source of sources(views)) {
    const counts = new Map<string, [number, number]>();
    views.forEach((v, i) => {
      for (const gram of source.grams(v)) {
        const c = counts.get(gram) ?? [0, 0];
        c[failed[i] ? 0 : 1]++;
        counts.set(gram, c);
      }
    });
    const scored: { phrase: string; score: number }[] = [];
    for (const [phrase, [inFails, inPasses]] of counts) {
      if (inFails + inPasses < options.minTraces || !informative(phrase)) continue;
      const gap = Math.abs(inFails / fails - inPasses / passes);
      const fromRubric = phrase.split(" ").every((t) => rubric.has(t));
      scored.push({ phrase, score: fromRubric ? gap * options.rubricBoost : gap });
    }
    scored.sort((a, b) => b.score - a.score || (a.phrase < b.phrase ? -1 : 1));
    features.push(...scored.slice(0, options.perField).map(({ phrase }) => source.make(phrase)));
  }
  return features;
}
