// Renders a learned rule list as a readable, standard-library-only Python eval with the reasons it gives.
import { type Detector, pythonDetectorConstant } from "./detectors";
import { type Feature, PYTHON_FEATURE_HELPERS } from "./features";
import { type Condition, describeCondition, type RuleList } from "./learner";
import { numberText, PYTHON_VIEW_PRELUDE } from "./trace-view";

export interface EmitContext {
  trainingTraces: number;
  source: string;
}

/** The reason a trace gets when rule `ruleIndex` fires (-1: when none does). TypeScript and Python share it. */
export function ruleReason(model: RuleList, ruleIndex: number): string {
  const matched = model.verdict === "fail" ? "FAIL" : "PASS";
  const unmatched = model.verdict === "fail" ? "PASS" : "FAIL";
  if (ruleIndex < 0) return `${unmatched}: no ${model.verdict === "fail" ? "failure" : "passing"} rule matched`;
  return `${matched}: ${model.rules[ruleIndex].map(describeCondition).join(" and ")} (rule ${ruleIndex + 1})`;
}

/** Python function names for the features the rules use, made unique in order of first use. */
function functionNames(features: Feature[]): Map<Feature, string> {
  const names = new Map<Feature, string>();
  const taken = new Set<string>();
  for (const feature of features) {
    let name = /^[a-z_]/.test(feature.name) ? feature.name : `f_${feature.name}`;
    for (let k = 2; taken.has(name); k++) name = `${feature.name}_${k}`;
    taken.add(name);
    names.set(feature, name);
  }
  return names;
}

function pythonCondition(condition: Condition, name: string): string {
  const call = `${name}(v)`;
  switch (condition.test) {
    case "is_true":
      return call;
    case "is_false":
      return `not ${call}`;
    case "at_least":
      return `${call} >= ${numberText(condition.threshold)}`;
    case "below":
      return `${call} < ${numberText(condition.threshold)}`;
  }
}

const pyString = (s: string) => JSON.stringify(s);

export function emitPython(model: RuleList, context: EmitContext): string {
  const features = [...new Set(model.rules.flat().map((c) => c.feature))];
  const names = functionNames(features);
  const detectors = [...new Set(features.flatMap((f) => f.detectors))] as Detector[];
  const verdictWord = model.verdict === "fail" ? "Fails" : "Passes";
  const otherWord = model.verdict === "fail" ? "passes" : "fails";
  const ruleLines = model.rules.map((_, r) => `    rule ${r + 1}: ${ruleReason(model, r).replace(/^\w+: /, "").replace(/ \(rule \d+\)$/, "")}`);

  const header = [
    `"""Eval synthesized offline (no LLM) from ${context.trainingTraces} labelled traces; ${context.source}.`,
    "",
    `${verdictWord} a trace when the first matching rule below says so; ${otherWord} it when none matches.`,
    ...(ruleLines.length ? ruleLines : ["    (no rules: the labels gave nothing to learn from)"]),
    '"""',
    "import collections",
    "import re",
  ].join("\n");

  // The label goes in a comment, not a docstring: labels quote trace text, which may hold quotes and backslashes.
  const featureFunctions = features.map((f) => `def ${names.get(f)}(v):\n    # ${f.label.replace(/[\r\n]+/g, " ")}\n    return ${f.python}\n`);
  const ruleChecks = model.rules.map((rule, r) => {
    const test = rule.map((c) => pythonCondition(c, names.get(c.feature)!)).join(" and ");
    return `    if ${test}:\n        return ${model.verdict === "pass" ? "True" : "False"}, ${pyString(ruleReason(model, r))}`;
  });
  const evaluate = [
    "def evaluate(trace: dict) -> tuple[bool, str]:",
    "    v = View(trace)",
    ...ruleChecks,
    `    return ${model.verdict === "fail" ? "True" : "False"}, ${pyString(ruleReason(model, -1))}`,
  ].join("\n");

  return [
    header,
    "",
    "# ---- views of the normalized trace ----",
    PYTHON_VIEW_PRELUDE.trim(),
    "",
    "# ---- feature helpers ----",
    PYTHON_FEATURE_HELPERS.trim(),
    "",
    ...(detectors.length ? ["# ---- text detectors ----", ...detectors.map(pythonDetectorConstant), ""] : []),
    "# ---- the features the rules use ----",
    ...featureFunctions,
    "# ---- the rules ----",
    evaluate,
    "",
  ].join("\n\n").replace(/\n{4,}/g, "\n\n\n");
}
