// Runs runBatch on a worker thread, so the jail keeps being fed and read while the main thread is blocked (e.g. by PGlite).
import { WINDOW, type RunBatchOptions } from "./run-batch.ts";
import { readSandboxSettings, type BackendChoice } from "./settings.ts";
import { packTraces, type TraceChunk } from "./trace-chunk.ts";
import { selectBackend } from "./backend.ts";
import { resolveLimits } from "./limits.ts";
import { releaseThread, takeThread } from "./thread-pool.ts";
import {
  EvalLoadError,
  SandboxUnavailableError,
  type JailCommand,
  type SandboxBackend,
  type StaticCheckError,
  type TraceItem,
  type TraceResult,
} from "./types.ts";

/** Traces per message to the worker: one message per chunk instead of one per trace. */
const TRACE_CHUNK = 256;
/**
 * Traces sent but not yet scored: enough queued for the interpreters to keep working through a 50 ms block of
 * the main thread (they score well under 2,048 traces in that time), while bounding memory.
 */
const MAX_IN_FLIGHT = 2048;
/**
 * runBatch keeps up to WINDOW traces in flight per interpreter and, while its source waits, holds their results: the
 * bound must leave room for a chunk beyond all those windows, or many interpreters could wait on each other forever.
 */
const IN_FLIGHT_PER_INTERPRETER = 2 * WINDOW;
/** Results received but not yet taken by the consumer; past this the feeding stops, so a slow consumer slows the worker. */
const MAX_BUFFERED = 1024;

export interface ThreadBatchOptions extends Omit<RunBatchOptions, "backend"> {
  /** Default: the SANDBOX setting. A name, not a backend: it is selected on this thread and handed to the worker prepared. */
  backendName?: BackendChoice;
}

/** What the worker needs to run the batch: the options without the source and the signal, which stay here. */
export type WorkerBatchOptions = Omit<RunBatchOptions, "backend" | "traces" | "signal"> & { backend: PreparedBackend };

/**
 * The backend as this batch uses it, in plain data: selected here, where it is cached, and not in the fresh thread,
 * which would probe the tools and compile the seccomp policy again (35–140 ms) before its first jail.
 */
export interface PreparedBackend extends Omit<SandboxBackend, "command"> {
  command: JailCommand;
}

/** The worker's side: the backend whose command is the one prepared for this batch's limits. */
export function preparedBackend({ command, ...backend }: PreparedBackend): SandboxBackend {
  return { ...backend, command: () => command };
}

export type ToWorker =
  | { type: "start"; options: WorkerBatchOptions }
  | { type: "traces"; chunk: TraceChunk }
  | { type: "end" }
  /** Stops the batch; the thread then retires. */
  | { type: "stop" }
  /** The thread exits once its jails are reaped. */
  | { type: "retire" };

export type FromWorker = { type: "results"; results: TraceResult[] } | { type: "finished"; error?: SerializedError };

/** Errors lose their class and extra fields when cloned across threads: these are rebuilt on the main side. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  kind?: EvalLoadError["kind"];
  traceback?: string;
  staticErrors?: StaticCheckError[];
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof EvalLoadError) {
    const { name, message, kind, traceback, staticErrors } = error;
    return { name, message, kind, traceback, staticErrors };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: "Error", message: String(error) };
}

function deserializeError(error: SerializedError): Error {
  if (error.name === "EvalLoadError") return new EvalLoadError(error.kind ?? "exception", error.message, error.traceback, error.staticErrors);
  if (error.name === "SandboxUnavailableError") return new SandboxUnavailableError(error.message);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

/**
 * runBatch's contract (results tagged by trace id, EvalLoadError before any result, SandboxUnavailableError,
 * cancellation by `signal`, the source closed when the consumer stops, source errors propagated), with the
 * interpreters spawned, fed and read on a worker thread (thread-pool.ts). A thread whose batch ended by itself
 * serves the next run; one stopped mid-batch has exited, its jails reaped, by the time the iteration ends.
 */
export async function* runBatchOnThread(options: ThreadBatchOptions): AsyncGenerator<TraceResult> {
  // Resolved before the thread starts (a bad setting throws here), and from this thread's environment.
  const settings = readSandboxSettings();
  const { traces: _traces, signal: _signal, backendName, ...rest } = options;
  const timeoutMs = rest.timeoutMs ?? settings.timeoutMs;
  const { name, killSignal, description, command } = selectBackend(backendName ?? settings.backend);
  const start: WorkerBatchOptions = {
    ...rest,
    // The worker's runBatch resolves the same limits from the same options.
    backend: { name, killSignal, description, command: command(resolveLimits(rest.limits, timeoutMs)) },
    timeoutMs,
    concurrency: rest.concurrency ?? settings.concurrency,
  };
  const batch = new ThreadBatch(options, start);
  try {
    yield* batch.results();
  } finally {
    await batch.stop();
  }
}

class ThreadBatch {
  private readonly thread = takeThread();
  private readonly iterator: AsyncIterator<TraceItem> | Iterator<TraceItem>;
  private readonly onAbort = () => this.fail(this.options.signal?.reason ?? new Error("aborted"));
  private readonly maxInFlight: number;
  private workerDone = false;
  /** The thread cannot serve another batch: it was told to stop this one, or it failed. */
  private threadSpent = false;
  private outgoing: TraceItem[] = [];
  private flushArmed = false;
  private sent = 0;
  private received = 0;
  /** Received results, as the chunks they arrived in; the consumer reads `buffer[0]` from `cursor`. */
  private readonly buffer: TraceResult[][] = [];
  private cursor = 0;
  private buffered = 0;
  private pulling: Promise<unknown> = Promise.resolve();
  private sourceDone = false;
  private complete = false;
  private failure: { error: unknown } | undefined;
  private stopped = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeFeeder: (() => void) | undefined;

  constructor(
    private readonly options: ThreadBatchOptions,
    private readonly start: WorkerBatchOptions,
  ) {
    this.maxInFlight = Math.max(MAX_IN_FLIGHT, IN_FLIGHT_PER_INTERPRETER * (start.concurrency ?? 1) + TRACE_CHUNK);
    const { traces } = options;
    this.iterator = Symbol.asyncIterator in traces ? traces[Symbol.asyncIterator]() : traces[Symbol.iterator]();
    const { worker } = this.thread;
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === "results") return this.receive(message.results);
      this.workerDone = true;
      if (message.error) this.fail(deserializeError(message.error));
      // After a failure the worker was told to stop, and reports that without an error: the run is not complete.
      else if (!this.failure) this.complete = true;
      this.wake();
    };
    worker.onerror = (event) => {
      this.workerDone = true;
      this.threadSpent = true;
      this.fail(new Error(`The sandbox's worker thread failed: ${event.message}`));
    };
  }

  results(): AsyncIterable<TraceResult> {
    const { signal } = this.options;
    this.post({ type: "start", options: this.start });
    if (signal?.aborted) this.onAbort();
    signal?.addEventListener("abort", this.onAbort, { once: true });
    void this.feed();
    return this.drain();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.signal?.removeEventListener("abort", this.onAbort);
    this.wake();
    await Promise.all([this.stopWorker(), this.closeSource()]);
  }

  private async *drain(): AsyncGenerator<TraceResult> {
    while (true) {
      const chunk = this.buffer[0];
      if (chunk) {
        const result = chunk[this.cursor++]!;
        if (this.cursor === chunk.length) {
          this.buffer.shift();
          this.cursor = 0;
        }
        this.buffered--;
        this.wakeFeeder?.();
        yield result;
        continue;
      }
      if (this.failure) throw this.failure.error;
      if (this.complete) return;
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
  }

  /** Pulls the source (never concurrently) and sends it in chunks, pausing while too much is in flight or buffered. */
  private async feed(): Promise<void> {
    try {
      while (!this.stopped) {
        if (this.room() <= 0) {
          this.flush();
          // Resume only once a whole chunk fits: resuming at the first free slot would send chunks of one trace.
          while (!this.stopped && this.room() < TRACE_CHUNK) await new Promise<void>((resolve) => (this.wakeFeeder = resolve));
          this.wakeFeeder = undefined;
          continue;
        }
        const pulled = this.iterator.next();
        this.pulling = Promise.resolve(pulled).catch(() => {});
        const step = await pulled;
        if (step.done) {
          this.sourceDone = true;
          this.flush();
          this.post({ type: "end" });
          return;
        }
        this.outgoing.push(forTransfer(step.value));
        if (this.outgoing.length >= TRACE_CHUNK) this.flush();
        else if (!this.flushArmed) {
          // A source that pauses (or ends up short of a chunk) must not hold traces back: send what there is once this turn ends.
          this.flushArmed = true;
          setImmediate(() => this.flush());
        }
      }
    } catch (error) {
      this.sourceDone = true;
      this.fail(error);
    }
  }

  /** How many more traces may be pulled now. */
  private room(): number {
    return Math.min(this.maxInFlight - (this.sent + this.outgoing.length - this.received), MAX_BUFFERED - this.buffered);
  }

  private flush(): void {
    this.flushArmed = false;
    if (this.outgoing.length === 0 || this.stopped) return;
    const items = this.outgoing;
    this.outgoing = [];
    this.sent += items.length;
    const { chunk, transfer } = packTraces(items);
    this.post({ type: "traces", chunk }, transfer);
  }

  private receive(results: TraceResult[]): void {
    if (this.stopped || this.failure) return;
    this.buffer.push(results);
    this.received += results.length;
    this.buffered += results.length;
    this.wake();
  }

  /** Like runBatch: the results already received are still delivered, then the error is thrown; the interpreters stop now. */
  private fail(error: unknown): void {
    if (this.stopped || this.failure || this.complete) return;
    this.failure = { error };
    if (!this.workerDone) this.post({ type: "stop" });
    this.wake();
  }

  private wake(): void {
    const consumer = this.wakeConsumer;
    this.wakeConsumer = undefined;
    consumer?.();
    this.wakeFeeder?.();
  }

  private post(message: ToWorker, transfer: Transferable[] = []): void {
    if (message.type === "stop") this.threadSpent = true;
    if (!this.stopped || message.type === "stop") this.thread.post(message, transfer);
  }

  /** A batch that ended by itself leaves its thread for the next run; otherwise the thread's exit is awaited. */
  private async stopWorker(): Promise<void> {
    if (!this.workerDone) this.post({ type: "stop" });
    if (this.threadSpent) await this.thread.retire();
    else releaseThread(this.thread);
  }

  private async closeSource(): Promise<void> {
    await this.pulling;
    if (this.sourceDone) return;
    this.sourceDone = true;
    await Promise.resolve(this.iterator.return?.()).catch(() => {});
  }
}

/**
 * Traces cross as JSON where possible (packed into the chunk's buffer, see trace-chunk.ts), which the interpreter
 * sends as is. A trace JSON cannot express (e.g. a BigInt) is cloned as is, so the interpreter reports it on that
 * trace alone, as runBatch does.
 */
function forTransfer(item: TraceItem): TraceItem {
  if (item.traceJson !== undefined || item.traceBytes !== undefined) return item;
  try {
    const traceJson = JSON.stringify(item.trace);
    return traceJson === undefined ? { id: item.id } : { id: item.id, traceJson };
  } catch {
    return { id: item.id, trace: item.trace };
  }
}
