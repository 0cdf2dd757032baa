// `cli eval run <eval.py> <traces.jsonl> [--skip-static-check]`: one JSON result line per trace on stdout.
import { describeSandbox } from "./backend.ts";
import { splitLines } from "./line-reader.ts";
import { runBatch } from "./run-batch.ts";
import { EvalLoadError, SandboxUnavailableError, type TraceItem } from "./types.ts";

const USAGE =
  "usage: eval run <eval.py> <traces.jsonl> [--skip-static-check] [--timeout-ms N] [--concurrency N]\n" +
  "  traces.jsonl: one JSON object per line, either {\"id\", \"trace\"} or a normalized trace (its `id` is used)";
const MAX_TRACE_LINE_BYTES = 64 * 1024 * 1024;

interface Arguments {
  evalPath: string;
  tracesPath: string;
  skipStaticCheck: boolean;
  timeoutMs?: number;
  concurrency?: number;
}

/** Exit code: 0 when every trace got a result, 1 when the eval or the sandbox could not run, 2 on bad usage. */
export async function evalRunCommand(argv: string[]): Promise<number> {
  const args = parseArguments(argv);
  if (typeof args === "string") {
    console.error(`${args}\n${USAGE}`);
    return 2;
  }
  const evalFile = Bun.file(args.evalPath);
  const tracesFile = Bun.file(args.tracesPath);
  for (const [file, path] of [[evalFile, args.evalPath], [tracesFile, args.tracesPath]] as const) {
    if (!(await file.exists())) {
      console.error(`no such file: ${path}`);
      return 2;
    }
  }
  console.error(describeSandbox());
  if (args.skipStaticCheck) console.error("static check skipped (--skip-static-check): the code goes straight to the jail");
  const counts = { passed: 0, failed: 0, errors: new Map<string, number>() };
  const started = performance.now();
  const out = Bun.stdout.writer();
  try {
    const results = runBatch({
      code: await evalFile.text(),
      traces: readTraces(tracesFile),
      staticCheck: !args.skipStaticCheck,
      timeoutMs: args.timeoutMs,
      concurrency: args.concurrency,
    });
    for await (const result of results) {
      out.write(JSON.stringify(result) + "\n");
      if (!result.ok) counts.errors.set(result.error.kind, (counts.errors.get(result.error.kind) ?? 0) + 1);
      else if (result.passed) counts.passed++;
      else counts.failed++;
    }
  } catch (error) {
    await out.flush();
    if (error instanceof EvalLoadError || error instanceof SandboxUnavailableError) {
      console.error(describeFailure(error));
      return 1;
    }
    throw error;
  }
  await out.flush();
  const errorTotal = [...counts.errors.values()].reduce((sum, n) => sum + n, 0);
  const kinds = [...counts.errors].map(([kind, n]) => `${kind} ${n}`).join(", ");
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  console.error(
    `${counts.passed + counts.failed + errorTotal} traces in ${seconds} s: ${counts.passed} passed, ${counts.failed} failed, ` +
      `${errorTotal} errors${kinds ? ` (${kinds})` : ""}`,
  );
  return 0;
}

function parseArguments(argv: string[]): Arguments | string {
  const positional: string[] = [];
  let skipStaticCheck = false;
  let timeoutMs: number | undefined;
  let concurrency: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--skip-static-check") skipStaticCheck = true;
    else if (arg === "--timeout-ms" || arg === "--concurrency") {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) return `${arg} needs a positive whole number`;
      if (arg === "--timeout-ms") timeoutMs = value;
      else concurrency = value;
    } else if (arg.startsWith("--")) return `unknown option ${arg}`;
    else positional.push(arg);
  }
  if (positional.length !== 2) return "expected <eval.py> and <traces.jsonl>";
  return { evalPath: positional[0]!, tracesPath: positional[1]!, skipStaticCheck, timeoutMs, concurrency };
}

/** Streams the file line by line (constant memory); blank lines are skipped, unreadable ones reported. */
async function* readTraces(file: Bun.BunFile): AsyncGenerator<TraceItem> {
  let lineNumber = 0;
  for await (const line of splitLines(file.stream(), MAX_TRACE_LINE_BYTES, true)) {
    lineNumber++;
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      console.error(`traces line ${lineNumber}: not valid JSON, skipped`);
      continue;
    }
    yield toTraceItem(value, lineNumber);
  }
}

function toTraceItem(value: unknown, lineNumber: number): TraceItem {
  if (typeof value === "object" && value !== null && "trace" in value && "id" in value) {
    return { id: String(value.id), trace: value.trace };
  }
  const ownId = typeof value === "object" && value !== null && "id" in value ? String(value.id) : undefined;
  return { id: ownId ?? `line-${lineNumber}`, trace: value };
}

function describeFailure(error: EvalLoadError | SandboxUnavailableError): string {
  if (error instanceof SandboxUnavailableError) return error.message;
  const details = error.staticErrors.map((entry) => `  ${entry.message}`).join("\n");
  return [`eval could not run (${error.kind}): ${error.message}`, details, error.traceback].filter(Boolean).join("\n");
}
