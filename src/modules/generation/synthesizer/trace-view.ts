// The derived views of a normalized trace (texts, tool calls, steps, tokens) in TypeScript and, side by side, in Python.

/** A normalized trace as the sandbox sees it: plain JSON (see DESIGN.md, "Normalized trace"). */
export type TraceDict = Record<string, unknown>;

export interface ToolCallView {
  name: string;
  args: string;
  output: string;
  failed: boolean;
  /** The arguments and output as JSON, for features that read their structure. */
  argsValue: unknown;
  outputValue: unknown;
}

export interface StepView {
  type: string;
  failed: boolean;
  warned: boolean;
}

/** Fields whose tokens phrase features look at; `args:<tool>` is the arguments of one tool. */
export type TextField = "output" | "input" | "tool_args" | "tool_output" | `args:${string}`;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function asDict(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Python truthiness, so "has an error" means the same on both sides ({} and [] are false). */
export function present(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

/** Formats a number exactly as the Python prelude's `number_text` (Python's repr, integers without ".0"). */
export function numberText(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const [mantissa, exponentText] = x.toExponential().split("e");
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(x);
}

/** Flattens any JSON value to searchable text: strings as is, objects as "key: value" lines. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberText(value);
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(textOf).join("\n");
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => `${key}: ${textOf(item)}`)
    .join("\n");
}

const TOKEN = /[\p{L}\p{N}]+/gu;
const WORD = /[^ \t\r\n]+/g;

export function tokensOf(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Whitespace-separated words, as a reader would count them. */
export function wordCount(text: string): number {
  return (text.match(WORD) ?? []).length;
}

/** Length in code points, as Python's len(). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Unigrams and bigrams ("a b") of a token list. */
export function gramsOf(tokens: string[]): Set<string> {
  const grams = new Set(tokens);
  for (let i = 0; i + 1 < tokens.length; i++) grams.add(`${tokens[i]} ${tokens[i + 1]}`);
  return grams;
}

export class TraceView {
  readonly output: string;
  readonly input: string;
  readonly tools: ToolCallView[];
  readonly steps: StepView[];
  private readonly gramCache = new Map<string, Set<string>>();

  constructor(readonly trace: TraceDict) {
    this.output = textOf(trace.output);
    this.input = textOf(trace.input);
    this.tools = asList(trace.tool_calls).map((call) => {
      const c = asDict(call);
      return { name: textOf(c.name), args: textOf(c.arguments), output: textOf(c.output), failed: present(c.error), argsValue: c.arguments, outputValue: c.output };
    });
    this.steps = asList(trace.steps).map((step) => {
      const s = asDict(step);
      const level = textOf(s.level).toLowerCase();
      return { type: textOf(s.type), failed: present(s.error) || level === "error", warned: level === "warning" };
    });
  }

  /** A top-level number of the trace (latency_ms, cost_usd); missing or non-numeric counts as 0. */
  number(key: string): number {
    const value = this.trace[key];
    return typeof value === "number" ? value : 0;
  }

  fieldText(field: TextField): string {
    if (field === "output") return this.output;
    if (field === "input") return this.input;
    if (field === "tool_args") return this.tools.map((t) => t.args).join("\n");
    if (field === "tool_output") return this.tools.map((t) => t.output).join("\n");
    const tool = field.slice("args:".length);
    return this.tools.filter((t) => t.name === tool).map((t) => t.args).join("\n");
  }

  grams(field: TextField): Set<string> {
    let grams = this.gramCache.get(field);
    if (!grams) {
      grams = gramsOf(tokensOf(this.fieldText(field)));
      this.gramCache.set(field, grams);
    }
    return grams;
  }

  toolNames(): string[] {
    return this.tools.map((t) => t.name);
  }
}

/**
 * The same views in Python, emitted at the top of every synthesized eval. Kept beside the TypeScript
 * above so a change to one is made to the other; `trace-view.test.ts` runs both over the same traces.
 */
export const PYTHON_VIEW_PRELUDE = String.raw`
def present(value):
    """Python truthiness: None, False, 0, "" and empty containers are absent."""
    return bool(value)


def number_text(x):
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def text_of(value):
    """Flattens any JSON value to searchable text: strings as is, objects as "key: value" lines."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n".join(text_of(item) for item in value)
    if isinstance(value, dict):
        return "\n".join(f"{key}: {text_of(item)}" for key, item in value.items())
    return str(value)


TOKEN = re.compile(r"[^\W_]+")
WORD = re.compile(r"[^ \t\r\n]+")


def tokens_of(text):
    return TOKEN.findall(text.lower())


def word_count(text):
    return len(WORD.findall(text))


def grams_of(tokens):
    """Unigrams and bigrams ("a b") of a token list."""
    grams = set(tokens)
    grams.update(f"{a} {b}" for a, b in zip(tokens, tokens[1:]))
    return grams


def count_matches(pattern, text):
    return sum(1 for _ in pattern.finditer(text))


def as_list(value):
    return value if isinstance(value, list) else []


def as_dict(value):
    return value if isinstance(value, dict) else {}


class ToolCall:
    def __init__(self, call):
        call = as_dict(call)
        self.name = text_of(call.get("name"))
        self.args = text_of(call.get("arguments"))
        self.output = text_of(call.get("output"))
        self.failed = present(call.get("error"))
        self.args_value = call.get("arguments")
        self.output_value = call.get("output")


class Step:
    def __init__(self, step):
        step = as_dict(step)
        self.type = text_of(step.get("type"))
        level = text_of(step.get("level")).lower()
        self.failed = present(step.get("error")) or level == "error"
        self.warned = level == "warning"


class View:
    """The parts of a normalized trace the rules look at."""

    def __init__(self, trace):
        self.trace = trace
        self.output = text_of(trace.get("output"))
        self.input = text_of(trace.get("input"))
        self.tools = [ToolCall(call) for call in as_list(trace.get("tool_calls"))]
        self.steps = [Step(step) for step in as_list(trace.get("steps"))]
        self.gram_cache = {}

    def number(self, key):
        value = self.trace.get(key)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

    def field_text(self, field):
        if field == "output":
            return self.output
        if field == "input":
            return self.input
        if field == "tool_args":
            return "\n".join(t.args for t in self.tools)
        if field == "tool_output":
            return "\n".join(t.output for t in self.tools)
        tool = field[len("args:"):]
        return "\n".join(t.args for t in self.tools if t.name == tool)

    def grams(self, field):
        if field not in self.gram_cache:
            self.gram_cache[field] = grams_of(tokens_of(self.field_text(field)))
        return self.gram_cache[field]

    def tool_names(self):
        return [t.name for t in self.tools]
`;
