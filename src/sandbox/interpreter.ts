// One jailed interpreter loaded with one eval: pipelines traces in, enforces the per-trace deadline and the
// protocol, and turns the jail's death into an error for the trace in flight.
import { JailProcess } from "./jail-process.ts";
import { harnessLimits } from "./limits.ts";
import { LineTooLongError } from "./line-reader.ts";
import { parseLoadLine, parseResultLine } from "./result-protocol.ts";
import { EvalLoadError, type SandboxBackend, type SandboxLimits, type TraceErrorKind, type TraceItem, type TraceResult } from "./types.ts";

/** The interpreter died before this trace's turn: it was not scored, send it again to a fresh one. */
export const LOST = Symbol("lost");
export type Scored = TraceResult | typeof LOST;

export interface InterpreterOptions {
  backend: SandboxBackend;
  code: string;
  limits: SandboxLimits;
  /** Run the static check before loading; only the CLI's --skip-static-check turns it off. */
  staticCheck: boolean;
}

interface InFlight {
  item: TraceItem;
  /** Its line's length (UTF-16 units of text, bytes of UTF-8): what it holds in buffers until scored. */
  size: number;
  settle(scored: Scored): void;
}

type State = "loading" | "ready" | "dead";

export class JailedInterpreter {
  private readonly jail: JailProcess;
  private readonly limits: SandboxLimits;
  private readonly inFlight: InFlight[] = [];
  private sizeInFlight = 0;
  private state: State = "loading";
  private deadline: ReturnType<typeof setTimeout> | undefined;
  private headStartedAt = 0;
  private outputSinceLastResult = 0;
  private lastSettledId: string | undefined;
  private loaded!: { resolve(): void; reject(error: Error): void };
  readonly startedAt = performance.now();

  /** Starts a jail and loads the eval; rejects with EvalLoadError when it cannot load. */
  static async start(options: InterpreterOptions): Promise<JailedInterpreter> {
    const interpreter = new JailedInterpreter(options);
    await new Promise<void>((resolve, reject) => {
      interpreter.loaded = { resolve, reject };
      interpreter.begin(options);
    });
    return interpreter;
  }

  private constructor(options: InterpreterOptions) {
    this.limits = options.limits;
    this.jail = new JailProcess(options.backend, options.limits, { onOutput: (bytes) => this.countOutput(bytes) });
  }

  get alive(): boolean {
    return this.state === "ready";
  }

  /** How much trace JSON was sent and not yet scored (about its bytes). */
  get bytesInFlight(): number {
    return this.sizeInFlight;
  }

  get ageMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Scores one trace; traces sent before it are scored first. Resolves LOST if the jail dies before its turn. */
  score(item: TraceItem): Promise<Scored> {
    if (this.state !== "ready") return Promise.resolve(LOST);
    let line: Array<string | Uint8Array>;
    try {
      line = traceLine(item);
    } catch (error) {
      const message = `the trace cannot be sent as JSON: ${(error as Error).message}`;
      return Promise.resolve({ id: item.id, ok: false, error: { kind: "exception", message, traceback: "" } });
    }
    const size = line.reduce((total, part) => total + part.length, 0);
    this.sizeInFlight += size;
    return new Promise<Scored>((settle) => {
      this.inFlight.push({ item, size, settle });
      for (const part of line) this.jail.write(part);
      if (this.inFlight.length === 1) this.startHeadClock();
    });
  }

  /** Stops the jail; traces still in flight resolve LOST. */
  close(): void {
    this.die();
  }

  private begin(options: InterpreterOptions): void {
    const header = { mode: "batch", code: options.code, static_check: options.staticCheck, limits: harnessLimits(this.limits) };
    this.jail.write(JSON.stringify(header) + "\n");
    this.armDeadline(this.limits.startupMs + this.limits.timeoutMs, () =>
      this.failLoad("timeout", `the eval did not load within ${this.limits.startupMs + this.limits.timeoutMs} ms`),
    );
    void this.readResults();
  }

  private async readResults(): Promise<void> {
    try {
      for await (const line of this.jail.resultLines()) {
        if (this.state === "dead") break;
        if (this.state === "loading") this.onLoadLine(line);
        else this.onResultLine(line);
      }
    } catch (error) {
      // Any other read error means the channel broke with the process: reported below as its exit.
      if (error instanceof LineTooLongError) this.violation(error.message);
    }
    await this.jail.finished;
    this.onExit();
  }

  private onLoadLine(line: string): void {
    const parsed = parseLoadLine(line, this.limits);
    if ("violation" in parsed) return this.failLoad("killed", `the jail broke the protocol while loading: ${parsed.violation}`);
    if ("loadError" in parsed) {
      const { kind, message, traceback, errors } = parsed.loadError;
      this.die();
      this.loaded.reject(new EvalLoadError(kind as EvalLoadError["kind"], message, traceback, errors));
      return;
    }
    this.state = "ready";
    this.outputSinceLastResult = 0;
    this.clearDeadline();
    this.loaded.resolve();
  }

  private onResultLine(line: string): void {
    const head = this.inFlight[0];
    if (!head) return this.violation("a result arrived while no trace was in flight");
    const parsed = parseResultLine(line, head.item.id, this.limits);
    if ("violation" in parsed) {
      // A second line for the trace just settled: that trace forged its own result and the harness's genuine
      // line followed. The offender is already settled; the traces queued behind it go to a fresh interpreter.
      if (parsed.namedId !== undefined && parsed.namedId === this.lastSettledId) return this.die();
      return this.violation(parsed.violation);
    }
    this.inFlight.shift();
    this.sizeInFlight -= head.size;
    this.lastSettledId = head.item.id;
    this.outputSinceLastResult = 0;
    head.settle(parsed.result);
    if (this.inFlight.length > 0) this.startHeadClock();
    else this.clearDeadline();
  }

  private onExit(): void {
    if (this.state === "loading") {
      this.failLoad("killed", `the jail exited before the eval loaded (${this.jail.exitDescription()})`);
    } else if (this.state === "ready") {
      this.failHead("killed", `the eval's process ended while scoring this trace (${this.jail.exitDescription()})`);
    }
  }

  /** Eval code can write to the result channel: a forged or garbled line costs the trace in flight, nothing else. */
  private violation(what: string): void {
    if (this.state === "loading") return this.failLoad("killed", `the jail broke the protocol while loading: ${what}`);
    this.failHead("killed", `the eval broke the result protocol (${what}); its process was killed`);
  }

  private countOutput(bytes: number): void {
    this.outputSinceLastResult += bytes;
    if (this.outputSinceLastResult <= this.limits.outputChars || this.state === "dead") return;
    const message = `the eval wrote more than ${this.limits.outputChars} bytes to stdout/stderr; its process was killed`;
    if (this.state === "loading") this.failLoad("output_limit", message);
    else this.failHead("output_limit", message);
  }

  private startHeadClock(): void {
    this.headStartedAt = performance.now();
    const head = this.inFlight[0];
    const allowed = this.limits.timeoutMs + this.limits.killGraceMs;
    this.armDeadline(allowed, () => {
      // Let results already waiting in the channel land first: the timer may have been delayed by a busy loop.
      setImmediate(() => {
        if (this.inFlight[0] !== head || this.state !== "ready") return;
        if (performance.now() - this.headStartedAt < allowed) return;
        this.failHead("timeout", `no result within ${this.limits.timeoutMs} ms; the eval's process was killed`);
      });
    });
  }

  private armDeadline(ms: number, onExpiry: () => void): void {
    this.clearDeadline();
    this.deadline = setTimeout(onExpiry, ms);
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private failLoad(kind: TraceErrorKind, message: string): void {
    if (this.state !== "loading") return;
    this.die();
    this.loaded.reject(new EvalLoadError(kind, message));
  }

  /** Kills the jail: the trace in flight gets `kind`, the ones queued behind it are LOST (to be re-sent). */
  private failHead(kind: TraceErrorKind, message: string): void {
    const head = this.inFlight.shift();
    this.sizeInFlight -= head?.size ?? 0;
    this.die();
    head?.settle({ id: head.item.id, ok: false, error: { kind, message, traceback: "" } });
  }

  private die(): void {
    if (this.state === "dead") return;
    this.state = "dead";
    this.clearDeadline();
    this.jail.kill();
    this.sizeInFlight = 0;
    for (const queued of this.inFlight.splice(0)) queued.settle(LOST);
  }
}

/** The trace's stdin line, in parts: JSON already serialized (as text or as UTF-8) goes in as is, between the id and the brace. */
function traceLine(item: TraceItem): Array<string | Uint8Array> {
  if (item.traceBytes !== undefined) return [`{"id":${JSON.stringify(item.id)},"trace":`, item.traceBytes, "}\n"];
  if (item.traceJson !== undefined) return [`{"id":${JSON.stringify(item.id)},"trace":${item.traceJson}}\n`];
  return [JSON.stringify({ id: item.id, trace: item.trace }) + "\n"];
}
