// Runs one eval over a stream of traces on N jailed interpreters, yielding each result as it is ready.
import { AsyncChannel, ChannelClosedError } from "./async-channel.ts";
import { selectBackend } from "./backend.ts";
import { UNCONFINED_WARNING } from "./backend-none.ts";
import { JailedInterpreter, LOST, type Scored } from "./interpreter.ts";
import { MAX_CODE_CHARS, resolveLimits } from "./limits.ts";
import { readSandboxSettings } from "./settings.ts";
import { SharedSource } from "./shared-source.ts";
import { EvalLoadError, type SandboxBackend, type SandboxLimits, type TraceItem, type TraceResult } from "./types.ts";

/**
 * Traces sent ahead to one interpreter: keeps it busy through the moments its feeder is slow to answer, while
 * bounding memory and the traces re-sent after a crash. 10k traces of 2.7 KB, 2 interpreters on 2 cores: 19.0–20.7k/s
 * with 16 in flight (the machine a third idle), 22.5–24.5k/s with 64, 24.7–24.9k/s with 128. Large traces are
 * bounded by size instead: at least one, and no more once WINDOW_BYTES are in flight.
 */
export const WINDOW = 128;
const WINDOW_BYTES = 512 * 1024;
/** Results waiting for a slow consumer before the workers stop pulling traces. */
const OUTPUT_CAPACITY = 256;

export interface RunBatchOptions {
  code: string;
  /** Pulled lazily, never concurrently; stop iterating the results and the source is closed (return()). */
  traces: AsyncIterable<TraceItem> | Iterable<TraceItem>;
  /** Per-trace deadline; default SANDBOX_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Parallel interpreters; default SANDBOX_CONCURRENCY (the number of cores). */
  concurrency?: number;
  /** Only the CLI's --skip-static-check sets this to false; the server always checks. */
  staticCheck?: boolean;
  limits?: Partial<SandboxLimits>;
  /** Default: the SANDBOX setting. */
  backend?: SandboxBackend;
  /** Cancels the run: the interpreters are killed and the iteration throws the signal's reason. */
  signal?: AbortSignal;
  /**
   * Start the interpreters at once instead of when the first trace arrives, so their start overlaps a slow first
   * read of the source (the eval-run job's statistics refresh and first page).
   */
  startAtOnce?: boolean;
}

/**
 * One result per trace, each tagged with its trace id. Order is kept within each interpreter's share and
 * interleaved across interpreters (with concurrency 1 it is the input order). A trace that hangs, crashes
 * its interpreter or breaks the protocol gets an error result; the others are unaffected.
 * Throws EvalLoadError before any result when the eval cannot load (static check, syntax, module error).
 */
export async function* runBatch(options: RunBatchOptions): AsyncGenerator<TraceResult> {
  if (options.code.length > MAX_CODE_CHARS) {
    const message = `line 1: the eval is ${options.code.length} characters long; the limit is ${MAX_CODE_CHARS}`;
    throw new EvalLoadError("static_check", "the eval was rejected by the static check", "", [{ line: 1, message }]);
  }
  const backend = options.backend ?? selectBackend();
  if (backend.name === "none") console.warn(`[sandbox] ${UNCONFINED_WARNING}`);
  const batch = new Batch(options, backend);
  try {
    yield* batch.results();
  } finally {
    await batch.stop();
  }
}

class Batch {
  private readonly output = new AsyncChannel<TraceResult>(OUTPUT_CAPACITY);
  private readonly source: SharedSource;
  private readonly limits: SandboxLimits;
  private readonly current = new Set<JailedInterpreter>();
  private readonly onAbort = () => this.fail(this.options.signal?.reason ?? new Error("aborted"));
  private stopped = false;

  constructor(
    private readonly options: RunBatchOptions,
    private readonly backend: SandboxBackend,
  ) {
    this.source = new SharedSource(options.traces);
    this.limits = resolveLimits(options.limits, options.timeoutMs ?? readSandboxSettings().timeoutMs);
  }

  results(): AsyncIterable<TraceResult> {
    const { signal } = this.options;
    if (signal?.aborted) this.onAbort();
    signal?.addEventListener("abort", this.onAbort, { once: true });
    const workers = this.options.concurrency ?? readSandboxSettings().concurrency;
    const running = Array.from({ length: Math.max(1, workers) }, () => this.work().catch((error) => this.fail(error)));
    void Promise.all(running).then(() => this.output.close());
    return this.output;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.output.close();
    for (const interpreter of this.current) interpreter.close();
    await this.source.close().catch(() => {});
  }

  private fail(error: unknown): void {
    if (this.stopped || error instanceof ChannelClosedError) return;
    this.output.close(error);
    void this.stop();
  }

  /** One worker: keeps up to WINDOW traces in flight on its interpreter, replacing it when it dies or ages out. */
  private async work(): Promise<void> {
    let interpreter: JailedInterpreter | undefined;
    let starting = this.options.startAtOnce ? this.startInterpreter() : undefined;
    starting?.catch(() => {}); // awaited with the first trace; without one, its failure has nobody to reach
    let window: Array<{ item: TraceItem; scored: Promise<Scored> }> = [];
    let sourceDone = false;
    let pull: Promise<TraceItem | undefined> | undefined;
    try {
      while (!this.stopped) {
        if (interpreter && window.length === 0 && (!interpreter.alive || interpreter.ageMs > this.limits.maxProcessAgeMs)) {
          this.retire(interpreter);
          interpreter = undefined;
        }
        // Every trace in the window was sent to the current interpreter: only feed it while it is alive.
        const acceptsMore = interpreter === undefined || (interpreter.alive && interpreter.ageMs <= this.limits.maxProcessAgeMs);
        const windowFull = window.length >= WINDOW || (interpreter?.bytesInFlight ?? 0) >= WINDOW_BYTES;
        if (!sourceDone && !windowFull && acceptsMore) {
          pull ??= this.source.next();
          // A slow source must not hold back a result already scored: whichever is ready first is handled first.
          if (window.length === 0 || (await sourceFirst(pull, window[0]!.scored))) {
            const item = await pull;
            pull = undefined;
            if (this.stopped) return;
            if (item === undefined) sourceDone = true;
            else {
              interpreter ??= await (starting ?? this.startInterpreter());
              starting = undefined;
              window.push({ item, scored: interpreter.score(item) });
            }
            continue;
          }
        }
        const head = window[0];
        if (!head) return;
        const scored = await head.scored;
        if (scored === LOST) {
          if (this.stopped) return;
          // The interpreter died on an earlier trace (which got the error): send the rest to a fresh one.
          if (interpreter) this.retire(interpreter);
          const fresh = await this.startInterpreter();
          interpreter = fresh;
          window = window.map(({ item }) => ({ item, scored: fresh.score(item) }));
          continue;
        }
        window.shift();
        await this.output.push(scored);
      }
    } finally {
      if (interpreter) this.retire(interpreter);
      void starting?.then((unused) => this.retire(unused), () => {});
    }
  }

  private async startInterpreter(): Promise<JailedInterpreter> {
    const interpreter = await JailedInterpreter.start({
      backend: this.backend,
      code: this.options.code,
      limits: this.limits,
      staticCheck: this.options.staticCheck ?? true,
    });
    if (this.stopped) {
      interpreter.close();
      throw new ChannelClosedError();
    }
    this.current.add(interpreter);
    return interpreter;
  }

  private retire(interpreter: JailedInterpreter): void {
    interpreter.close();
    this.current.delete(interpreter);
  }
}

/** Whether the source's next trace (or its error) is ready no later than the head's result. */
function sourceFirst(pull: Promise<unknown>, head: Promise<unknown>): Promise<boolean> {
  const ready = () => true;
  return Promise.race([pull.then(ready, ready), head.then(() => false)]);
}
