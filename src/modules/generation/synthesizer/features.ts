// The feature library: each feature is defined once with its TypeScript evaluator and its Python source.
import { DETECTORS, compileDetector, type Detector } from "./detectors";
import { charCount, type TextField, tokensOf, type TraceView, wordCount } from "./trace-view";

export type FeatureValue = number | boolean;

export interface Feature {
  /** Unique and stable: identifies the feature across folds. */
  key: string;
  /** Python function name hint (snake_case ASCII); the emitter makes it unique. */
  name: string;
  kind: "boolean" | "number";
  /** Numbers that are counts get integer thresholds ("at least 2"). */
  integer: boolean;
  /** For numbers: the quantity ("output word count"); for booleans: the statement when true. */
  label: string;
  /** For booleans: the statement when false; null when the negation reads too obscurely to be a rule. */
  negatedLabel: string | null;
  compute(view: TraceView): FeatureValue;
  /** Python expression over the `View` named `v`, using the prelude and `PYTHON_FEATURE_HELPERS`. */
  python: string;
  /** Detectors whose compiled constants the Python expression uses. */
  detectors: Detector[];
}

const py = (value: string) => JSON.stringify(value);

/** Lowercase ASCII identifier fragment for naming Python functions after tools and phrases. */
export function slug(text: string): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return s.slice(0, 40) || "x";
}

function numberFeature(key: string, name: string, label: string, integer: boolean, compute: (v: TraceView) => number, python: string, detectors: Detector[] = []): Feature {
  return { key, name, kind: "number", integer, label, negatedLabel: label, compute, python, detectors };
}

function booleanFeature(key: string, name: string, label: string, negatedLabel: string | null, compute: (v: TraceView) => boolean, python: string, detectors: Detector[] = []): Feature {
  return { key, name, kind: "boolean", integer: false, label, negatedLabel, compute, python, detectors };
}

// ---- helpers with a TypeScript and a Python twin (the Python ones are in PYTHON_FEATURE_HELPERS) ----

function countMatches(detector: Detector, text: string): number {
  const regex = compileDetector(detector);
  return (detector.lowercase ? text.toLowerCase() : text).match(regex)?.length ?? 0;
}

function callCount(v: TraceView, tool: string): number {
  return v.tools.filter((t) => t.name === tool).length;
}

function calledAfterFailure(v: TraceView, tool: string): boolean {
  const firstFailure = v.tools.findIndex((t) => t.failed);
  return firstFailure >= 0 && v.tools.some((t, i) => i > firstFailure && t.name === tool);
}

function anyCallAfterFailure(v: TraceView): boolean {
  const firstFailure = v.tools.findIndex((t) => t.failed);
  return firstFailure >= 0 && firstFailure < v.tools.length - 1;
}

function calledBefore(v: TraceView, first: string, second: string): boolean {
  const firstAt = v.toolNames().indexOf(first);
  return firstAt >= 0 && v.toolNames().lastIndexOf(second) > firstAt;
}

function calledWithoutPrior(v: TraceView, tool: string, prior: string): boolean {
  const names = v.toolNames();
  const toolAt = names.indexOf(tool);
  if (toolAt < 0) return false;
  const priorAt = names.indexOf(prior);
  return priorAt < 0 || priorAt > toolAt;
}

function maxRepeats(v: TraceView): number {
  const counts = new Map<string, number>();
  for (const t of v.tools) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

function duplicateCalls(v: TraceView): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (const t of v.tools) {
    const key = `${t.name}\u0000${t.args}`;
    if (seen.has(key)) duplicates++;
    seen.add(key);
  }
  return duplicates;
}

const ID_LIKE = /[0-9]/;

/** Distinct id-like tokens (6+ chars with a digit) of tool outputs that the final output repeats. */
function echoedIds(v: TraceView): number {
  const outputTokens = new Set(tokensOf(v.output));
  const toolTokens = new Set(tokensOf(v.fieldText("tool_output")));
  let n = 0;
  for (const token of toolTokens) if (charCount(token) >= 6 && ID_LIKE.test(token) && outputTokens.has(token)) n++;
  return n;
}

const DIGIT_RUN = /[0-9](?:[ .-]?[0-9])+/g;

function digitRuns(text: string): Set<string> {
  const runs = (text.match(DIGIT_RUN) ?? []).map((run) => run.replace(/[^0-9]/g, ""));
  return new Set(runs.filter((run) => run.length >= 8));
}

/** Distinct 8+ digit numbers of tool outputs that the final output repeats, whatever their spacing. */
function echoedDigitRuns(v: TraceView): number {
  const toolRuns = digitRuns(v.fieldText("tool_output"));
  return [...digitRuns(v.output)].filter((run) => toolRuns.has(run)).length;
}

const DATETIME_SOURCE = String.raw`([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?`;
const DATETIME = new RegExp(`^(?:${DATETIME_SOURCE})$`);

/** Days since 1970-01-01 of a proleptic Gregorian date (integer arithmetic, identical in Python). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719468;
}

/** Seconds since the epoch of an ISO date-time string (no offset: read as UTC); null if it is not one. */
export function epochSeconds(text: string): number | null {
  const m = DATETIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  let offset = 0;
  if (m[7] && m[7] !== "Z") {
    const digits = m[7].replace(":", "");
    offset = (digits[0] === "-" ? -1 : 1) * (Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60);
  }
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + Number(m[6] ?? 0) - offset;
}

interface Interval {
  start: number;
  end: number;
  /** The object carrying it has a field set to false (busy: false, confirmed: false…): a soft hold. */
  flaggedOff: boolean;
}

/** Time spans in a JSON value: every object with two or more date-time fields spans from the earliest to the latest. */
function intervalsIn(value: unknown, found: Interval[] = []): Interval[] {
  if (Array.isArray(value)) {
    for (const item of value) intervalsIn(item, found);
  } else if (value !== null && typeof value === "object") {
    const items = Object.values(value as Record<string, unknown>);
    const times = items.flatMap((item) => (typeof item === "string" ? [epochSeconds(item)].filter((t): t is number => t !== null) : []));
    if (times.length >= 2) found.push({ start: Math.min(...times), end: Math.max(...times), flaggedOff: items.some((item) => item === false) });
    for (const item of items) intervalsIn(item, found);
  }
  return found;
}

/** Overlaps (touching ends excluded) between spans in `tool`'s arguments and spans in earlier tool outputs. */
function overlapsWithEarlierOutputs(v: TraceView, tool: string, skipFlaggedOff: boolean): number {
  let overlaps = 0;
  v.tools.forEach((call, i) => {
    if (call.name !== tool) return;
    const created = intervalsIn(call.argsValue);
    if (created.length === 0) return;
    const existing = v.tools.slice(0, i).flatMap((earlier) => intervalsIn(earlier.outputValue));
    for (const a of created) for (const b of existing) if (!(skipFlaggedOff && b.flaggedOff) && a.start < b.end && b.start < a.end) overlaps++;
  });
  return overlaps;
}

const HAS_DIGIT = /[0-9]/;
const SENTENCE_BREAK = /[.!?\n]+/;

/** Words that carry content: 4+ characters, no digits, not a stopword. */
function contentWords(text: string): Set<string> {
  return new Set(tokensOf(text).filter((t) => charCount(t) >= 4 && !HAS_DIGIT.test(t) && !COMMON_WORDS.has(t)));
}

/** Distinct content words of the output found in no input, tool argument or tool output: claims with no visible source. */
function unsourcedOutputWords(v: TraceView): number {
  const sources = contentWords([v.input, v.fieldText("tool_args"), v.fieldText("tool_output")].join("\n"));
  return [...contentWords(v.output)].filter((w) => !sources.has(w)).length;
}

/** Sentences of tool outputs that ask for something and share under half their content words with the output. */
function uncoveredRequests(v: TraceView): number {
  const said = contentWords(v.output);
  const request = detector("REQUEST");
  return v.fieldText("tool_output").split(SENTENCE_BREAK).filter((sentence) => {
    if (countMatches(request, sentence) === 0) return false;
    const words = [...contentWords(sentence)];
    return words.length > 0 && words.filter((w) => said.has(w)).length * 2 < words.length;
  }).length;
}

/** Tool calls whose arguments match both detectors (e.g. a destructive operation on a production target). */
function callsMatchingBoth(v: TraceView, first: Detector, second: Detector): number {
  return v.tools.filter((t) => countMatches(first, t.args) > 0 && countMatches(second, t.args) > 0).length;
}

/** A few very common words per language; enough to tell a reply's language from a message's. */
export const STOPWORDS: Record<string, readonly string[]> = {
  en: ["the", "and", "is", "are", "you", "your", "to", "of", "for", "it", "this", "that", "with", "have", "be", "not", "can", "we"],
  de: ["der", "die", "das", "und", "ist", "sie", "ich", "nicht", "mit", "für", "auf", "ein", "eine", "zu", "den", "von", "ihr", "ihre", "wir", "bitte", "kann"],
  fr: ["le", "les", "et", "est", "vous", "je", "pas", "pour", "une", "des", "du", "que", "avec", "sur", "nous", "votre"],
  es: ["el", "los", "las", "y", "es", "que", "por", "para", "con", "una", "usted", "su", "pero", "está"],
  it: ["il", "lo", "è", "che", "di", "per", "non", "una", "con", "sono", "del", "della"],
  pt: ["os", "é", "que", "em", "para", "com", "uma", "não", "você", "do", "da"],
  nl: ["het", "een", "en", "van", "ik", "je", "niet", "met", "voor", "op", "dat", "zijn"],
};
const LANGUAGES = Object.keys(STOPWORDS);
const COMMON_WORDS = new Set(Object.values(STOPWORDS).flat());
const STOPWORD_SETS = LANGUAGES.map((lang) => new Set(STOPWORDS[lang]));

/** The language with the most stopword hits (first listed wins ties), "unknown" under 2 hits. */
export function languageOf(text: string): string {
  const tokens = tokensOf(text);
  let best = "unknown";
  let bestHits = 1;
  LANGUAGES.forEach((lang, i) => {
    const hits = tokens.filter((t) => STOPWORD_SETS[i].has(t)).length;
    if (hits > bestHits) [best, bestHits] = [lang, hits];
  });
  return best;
}

export const PYTHON_FEATURE_HELPERS = String.raw`
def call_count(v, tool):
    return sum(1 for t in v.tools if t.name == tool)


def first_failure(v):
    return next((i for i, t in enumerate(v.tools) if t.failed), -1)


def called_after_failure(v, tool):
    failed_at = first_failure(v)
    return failed_at >= 0 and any(i > failed_at and t.name == tool for i, t in enumerate(v.tools))


def any_call_after_failure(v):
    failed_at = first_failure(v)
    return 0 <= failed_at < len(v.tools) - 1


def called_before(v, first, second):
    names = v.tool_names()
    if first not in names or second not in names:
        return False
    last_second = len(names) - 1 - names[::-1].index(second)
    return last_second > names.index(first)


def called_without_prior(v, tool, prior):
    names = v.tool_names()
    if tool not in names:
        return False
    return prior not in names or names.index(prior) > names.index(tool)


def max_repeats(v):
    counts = collections.Counter(t.name for t in v.tools)
    return max(counts.values(), default=0)


def duplicate_calls(v):
    seen, duplicates = set(), 0
    for t in v.tools:
        key = (t.name, t.args)
        duplicates += key in seen
        seen.add(key)
    return duplicates


ID_LIKE = re.compile(r"[0-9]")


def echoed_ids(v):
    """Distinct id-like tokens (6+ chars with a digit) of tool outputs that the final output repeats."""
    output_tokens = set(tokens_of(v.output))
    tool_tokens = set(tokens_of(v.field_text("tool_output")))
    return sum(1 for t in tool_tokens if len(t) >= 6 and ID_LIKE.search(t) and t in output_tokens)


DIGIT_RUN = re.compile(r"[0-9](?:[ .-]?[0-9])+")


def digit_runs(text):
    runs = (re.sub(r"[^0-9]", "", run) for run in DIGIT_RUN.findall(text))
    return {run for run in runs if len(run) >= 8}


def echoed_digit_runs(v):
    """Distinct 8+ digit numbers of tool outputs that the final output repeats, whatever their spacing."""
    return len(digit_runs(v.output) & digit_runs(v.field_text("tool_output")))


DATETIME = re.compile(r"${DATETIME_SOURCE}", re.ASCII)


def days_from_civil(year, month, day):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y = year - 1 if month <= 2 else year
    era = y // 400
    year_of_era = y - era * 400
    day_of_year = (153 * (month - 3 if month > 2 else month + 9) + 2) // 5 + day - 1
    return era * 146097 + year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year - 719468


def epoch_seconds(text):
    """Seconds since the epoch of an ISO date-time string (no offset: read as UTC); None if it is not one."""
    m = DATETIME.fullmatch(text)
    if not m:
        return None
    year, month, day, hour, minute = (int(g) for g in m.groups()[:5])
    offset = 0
    if m.group(7) and m.group(7) != "Z":
        digits = m.group(7).replace(":", "")
        offset = (-1 if digits[0] == "-" else 1) * (int(digits[1:3]) * 3600 + int(digits[3:5]) * 60)
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + int(m.group(6) or 0) - offset


def intervals_in(value, found=None):
    """Time spans in a JSON value: every object with two or more date-time fields spans from the earliest to the latest.
    Each span is (start, end, flagged_off), flagged_off when the object has a field set to false (a soft hold)."""
    found = [] if found is None else found
    if isinstance(value, list):
        for item in value:
            intervals_in(item, found)
    elif isinstance(value, dict):
        items = list(value.values())
        times = [t for t in (epoch_seconds(item) for item in items if isinstance(item, str)) if t is not None]
        if len(times) >= 2:
            found.append((min(times), max(times), any(item is False for item in items)))
        for item in items:
            intervals_in(item, found)
    return found


def overlaps_with_earlier_outputs(v, tool, skip_flagged_off):
    """Overlaps (touching ends excluded) between spans in the tool's arguments and spans in earlier tool outputs."""
    overlaps = 0
    for i, call in enumerate(v.tools):
        if call.name != tool:
            continue
        created = intervals_in(call.args_value)
        if not created:
            continue
        existing = [span for earlier in v.tools[:i] for span in intervals_in(earlier.output_value)]
        for a_start, a_end, _ in created:
            for b_start, b_end, flagged_off in existing:
                if not (skip_flagged_off and flagged_off) and a_start < b_end and b_start < a_end:
                    overlaps += 1
    return overlaps


def calls_matching_both(v, first, first_lowercase, second, second_lowercase):
    """Tool calls whose arguments match both detectors (e.g. a destructive operation on a production target)."""
    return sum(1 for t in v.tools if first.search(t.args.lower() if first_lowercase else t.args) and second.search(t.args.lower() if second_lowercase else t.args))


STOPWORDS = ${JSON.stringify(STOPWORDS)}
COMMON_WORDS = {word for words in STOPWORDS.values() for word in words}
HAS_DIGIT = re.compile(r"[0-9]")
SENTENCE_BREAK = re.compile(r"[.!?\n]+")


def content_words(text):
    """Words that carry content: 4+ characters, no digits, not a stopword."""
    return {t for t in tokens_of(text) if len(t) >= 4 and not HAS_DIGIT.search(t) and t not in COMMON_WORDS}


def unsourced_output_words(v):
    """Distinct content words of the output found in no input, tool argument or tool output."""
    sources = content_words("\n".join([v.input, v.field_text("tool_args"), v.field_text("tool_output")]))
    return len(content_words(v.output) - sources)


def uncovered_requests(v):
    """Sentences of tool outputs that ask for something and share under half their content words with the output."""
    said = content_words(v.output)
    uncovered = 0
    for sentence in SENTENCE_BREAK.split(v.field_text("tool_output")):
        if not REQUEST.search(sentence.lower()):
            continue
        words = content_words(sentence)
        uncovered += bool(words) and sum(1 for w in words if w in said) * 2 < len(words)
    return uncovered


def language_of(text):
    """The language with the most stopword hits (first listed wins ties), "unknown" under 2 hits."""
    tokens = tokens_of(text)
    best, best_hits = "unknown", 1
    for lang, words in STOPWORDS.items():
        hits = sum(1 for t in tokens if t in words)
        if hits > best_hits:
            best, best_hits = lang, hits
    return best
`;

// ---- the generic features: structure, size, errors, tools ----

function structuralFeatures(): Feature[] {
  return [
    numberFeature("output_words", "output_word_count", "output word count", true, (v) => wordCount(v.output), "word_count(v.output)"),
    numberFeature("output_chars", "output_length", "output length (characters)", true, (v) => charCount(v.output), "len(v.output)"),
    numberFeature("input_words", "input_word_count", "input word count", true, (v) => wordCount(v.input), "word_count(v.input)"),
    numberFeature("output_input_ratio", "output_to_input_length_ratio", "output/input word ratio", false, (v) => wordCount(v.output) / Math.max(1, wordCount(v.input)), "word_count(v.output) / max(1, word_count(v.input))"),
    numberFeature("output_lines", "output_line_count", "output line count", true, (v) => v.output.split("\n").length, 'len(v.output.split("\\n"))'),
    numberFeature("steps", "step_count", "number of steps", true, (v) => v.steps.length, "len(v.steps)"),
    numberFeature("llm_steps", "llm_step_count", "number of LLM steps", true, (v) => v.steps.filter((s) => s.type === "llm").length, 'sum(1 for s in v.steps if s.type == "llm")'),
    numberFeature("failed_steps", "failed_step_count", "number of failed steps", true, (v) => v.steps.filter((s) => s.failed).length, "sum(1 for s in v.steps if s.failed)"),
    numberFeature("warned_steps", "warning_step_count", "number of warning steps", true, (v) => v.steps.filter((s) => s.warned).length, "sum(1 for s in v.steps if s.warned)"),
    numberFeature("tool_calls", "tool_call_count", "number of tool calls", true, (v) => v.tools.length, "len(v.tools)"),
    numberFeature("distinct_tools", "distinct_tool_count", "number of distinct tools called", true, (v) => new Set(v.toolNames()).size, "len(set(v.tool_names()))"),
    numberFeature("failed_tools", "failed_tool_call_count", "number of failed tool calls", true, (v) => v.tools.filter((t) => t.failed).length, "sum(1 for t in v.tools if t.failed)"),
    numberFeature("max_repeats", "most_calls_to_one_tool", "most calls to a single tool", true, maxRepeats, "max_repeats(v)"),
    numberFeature("duplicate_calls", "duplicate_tool_calls", "repeated identical tool calls", true, duplicateCalls, "duplicate_calls(v)"),
    numberFeature("latency_ms", "latency_ms", "latency (ms)", false, (v) => v.number("latency_ms"), 'v.number("latency_ms")'),
    numberFeature("cost_usd", "cost_usd", "cost (USD)", false, (v) => v.number("cost_usd"), 'v.number("cost_usd")'),
    numberFeature("echoed_ids", "tool_ids_echoed_in_output", "id-like values from tool outputs repeated in the output", true, echoedIds, "echoed_ids(v)"),
    numberFeature("unsourced_output_words", "output_words_without_source", "content words of the output found in no input or tool data", true, unsourcedOutputWords, "unsourced_output_words(v)"),
    numberFeature("uncovered_requests", "tool_output_requests_missing_from_output", "requests in tool outputs (could you, please, by Friday) the output does not cover", true, uncoveredRequests, "uncovered_requests(v)", [detector("REQUEST")]),
    numberFeature("echoed_digit_runs", "tool_numbers_echoed_in_output", "8+ digit numbers from tool outputs repeated in the output", true, echoedDigitRuns, "echoed_digit_runs(v)"),
    booleanFeature("has_errors", "trace_has_errors", "the trace has errors", "the trace has no errors", (v) => v.trace.has_errors === true || v.steps.some((s) => s.failed) || v.tools.some((t) => t.failed), 'v.trace.get("has_errors") is True or any(s.failed for s in v.steps) or any(t.failed for t in v.tools)'),
    booleanFeature("call_after_failure", "tool_called_after_a_failure", "a tool was called after a failed tool call", "no tool was called after a failed tool call", anyCallAfterFailure, "any_call_after_failure(v)"),
    booleanFeature("last_tool_failed", "last_tool_call_failed", "the last tool call failed", "the last tool call did not fail", (v) => v.tools.length > 0 && v.tools[v.tools.length - 1].failed, "len(v.tools) > 0 and v.tools[-1].failed"),
  ];
}

const DETECTOR_FIELDS: { field: TextField; label: string }[] = [
  { field: "output", label: "output" },
  { field: "input", label: "input" },
  { field: "tool_args", label: "tool arguments" },
  { field: "tool_output", label: "tool outputs" },
];

function detectorFeature(detector: Detector, field: TextField, fieldLabel: string): Feature {
  const text = field === "output" ? "v.output" : field === "input" ? "v.input" : `v.field_text(${py(field)})`;
  const lowered = detector.lowercase ? `${text}.lower()` : text;
  return numberFeature(
    `detector:${field}:${detector.id}`,
    `${slug(fieldLabel)}_${detector.id.toLowerCase()}_count`,
    `number of ${detector.label} matches in ${fieldLabel}`,
    true,
    (v) => countMatches(detector, v.fieldText(field)),
    `count_matches(${detector.id}, ${lowered})`,
    [detector],
  );
}

function languageFeatures(): Feature[] {
  const features: Feature[] = [
    booleanFeature("language_differs", "output_language_differs_from_input", "the output's language differs from the input's", "the output's language matches the input's", (v) => {
      const [a, b] = [languageOf(v.input), languageOf(v.output)];
      return a !== "unknown" && b !== "unknown" && a !== b;
    }, '(lambda a, b: a != "unknown" and b != "unknown" and a != b)(language_of(v.input), language_of(v.output))'),
  ];
  for (const lang of LANGUAGES) {
    for (const side of ["input", "output"] as const) {
      features.push(booleanFeature(`language:${side}:${lang}`, `${side}_language_is_${lang}`, `the ${side} is in '${lang}'`, `the ${side} is not in '${lang}'`, (v) => languageOf(v[side]) === lang, `language_of(v.${side}) == ${py(lang)}`));
    }
  }
  return features;
}

function toolFeatures(tool: string): Feature[] {
  const s = slug(tool);
  const t = py(tool);
  return [
    booleanFeature(`tool:called:${tool}`, `called_${s}`, `tool '${tool}' called`, `tool '${tool}' not called`, (v) => callCount(v, tool) > 0, `call_count(v, ${t}) > 0`),
    numberFeature(`tool:count:${tool}`, `calls_to_${s}`, `calls to '${tool}'`, true, (v) => callCount(v, tool), `call_count(v, ${t})`),
    booleanFeature(`tool:failed:${tool}`, `${s}_failed`, `tool '${tool}' failed`, `tool '${tool}' did not fail`, (v) => v.tools.some((c) => c.name === tool && c.failed), `any(c.name == ${t} and c.failed for c in v.tools)`),
    booleanFeature(`tool:after_failure:${tool}`, `${s}_called_after_a_failure`, `tool '${tool}' called after a failed call`, `tool '${tool}' not called after a failed call`, (v) => calledAfterFailure(v, tool), `called_after_failure(v, ${t})`),
    ...DETECTORS.map((d) => detectorFeature(d, `args:${tool}`, `'${tool}' arguments`)),
  ];
}

const detector = (id: string) => DETECTORS.find((d) => d.id === id)!;

/** Tool calls whose own arguments hold both a risky operation and a production target. */
function riskyCallFeatures(): Feature[] {
  const target = detector("PRODUCTION");
  return ["DESTRUCTIVE_OP", "DELETE_OP"].map((id) => {
    const op = detector(id);
    return numberFeature(`calls_both:${id}:${target.id}`, `calls_with_${id.toLowerCase()}_on_production`, `tool calls whose arguments have a ${op.label} on a ${target.label}`, true, (v) => callsMatchingBoth(v, op, target), `calls_matching_both(v, ${op.id}, ${op.lowercase ? "True" : "False"}, ${target.id}, ${target.lowercase ? "True" : "False"})`, [op, target]);
  });
}

/** For a tool whose arguments carry a time span: how many spans it creates over ones earlier tools returned. */
function overlapFeatures(tool: string): Feature[] {
  const t = py(tool);
  return [
    numberFeature(`overlap:${tool}`, `${slug(tool)}_overlaps_earlier_spans`, `time spans in '${tool}' arguments overlapping spans from earlier tool outputs`, true, (v) => overlapsWithEarlierOutputs(v, tool, false), `overlaps_with_earlier_outputs(v, ${t}, False)`),
    numberFeature(`overlap_firm:${tool}`, `${slug(tool)}_overlaps_firm_earlier_spans`, `time spans in '${tool}' arguments overlapping spans from earlier tool outputs not flagged false`, true, (v) => overlapsWithEarlierOutputs(v, tool, true), `overlaps_with_earlier_outputs(v, ${t}, True)`),
  ];
}

function toolPairFeatures(first: string, second: string): Feature[] {
  const [a, b] = [py(first), py(second)];
  return [
    booleanFeature(`order:${first}>${second}`, `${slug(first)}_before_${slug(second)}`, `tool '${first}' called before '${second}'`, null, (v) => calledBefore(v, first, second), `called_before(v, ${a}, ${b})`),
    booleanFeature(`without:${second}<${first}`, `${slug(second)}_without_prior_${slug(first)}`, `tool '${second}' called without prior '${first}'`, null, (v) => calledWithoutPrior(v, second, first), `called_without_prior(v, ${b}, ${a})`),
  ];
}

/** Tools called in at least `minTraces` traces, in first-seen order. */
export function frequentTools(views: readonly TraceView[], minTraces = 2): string[] {
  const counts = new Map<string, number>();
  for (const v of views) for (const name of new Set(v.toolNames())) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].filter(([name, n]) => name !== "" && n >= minTraces).map(([name]) => name);
}

/**
 * Every generic (label-free) feature for a set of traces: structure, detectors over each text, language,
 * and per-tool presence / failure / order. Tool names come from the traces themselves, not their labels.
 */
export function genericFeatures(views: readonly TraceView[]): Feature[] {
  const tools = frequentTools(views);
  const features = [
    ...structuralFeatures(),
    ...DETECTOR_FIELDS.flatMap(({ field, label }) => DETECTORS.map((d) => detectorFeature(d, field, label))),
    ...languageFeatures(),
    ...riskyCallFeatures(),
    ...tools.flatMap(toolFeatures),
    ...tools.filter((tool) => views.filter((v) => v.tools.some((c) => c.name === tool && intervalsIn(c.argsValue).length > 0)).length >= 2).flatMap(overlapFeatures),
  ];
  for (const first of tools) for (const second of tools) if (first !== second) features.push(...toolPairFeatures(first, second));
  return features;
}

const FIELD_LABELS: Record<string, string> = { output: "output", input: "input", tool_args: "tool arguments", tool_output: "tool outputs" };

export function fieldLabel(field: TextField): string {
  return FIELD_LABELS[field] ?? `'${field.slice("args:".length)}' arguments`;
}

/** "<field> mentions <phrase>", on whole tokens, case-insensitively. */
export function phraseFeature(field: TextField, phrase: string): Feature {
  const where = fieldLabel(field);
  return booleanFeature(`phrase:${field}:${phrase}`, `${slug(where)}_mentions_${slug(phrase)}`, `${where} mentions "${phrase}"`, `${where} does not mention "${phrase}"`, (v) => v.grams(field).has(phrase), `${py(phrase)} in v.grams(${py(field)})`);
}

/** "<phrase> is in the tool outputs but not in the output": something the answer dropped. */
export function droppedPhraseFeature(phrase: string): Feature {
  return booleanFeature(`dropped:${phrase}`, `output_drops_${slug(phrase)}`, `tool outputs mention "${phrase}" but the output does not`, `the output keeps "${phrase}" or no tool output mentions it`, (v) => v.grams("tool_output").has(phrase) && !v.grams("output").has(phrase), `${py(phrase)} in v.grams("tool_output") and ${py(phrase)} not in v.grams("output")`);
}
