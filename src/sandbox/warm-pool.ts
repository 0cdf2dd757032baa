// Keeps a few loaded jailed interpreters per eval version, so scoring one trace online skips the process start.
import { createHash } from "node:crypto";
import { selectBackend } from "./backend.ts";
import { UNCONFINED_WARNING } from "./backend-none.ts";
import { JailedInterpreter, LOST } from "./interpreter.ts";
import { resolveLimits } from "./limits.ts";
import { readSandboxSettings } from "./settings.ts";
import type { SandboxBackend, SandboxLimits, TraceResult } from "./types.ts";

export interface WarmPoolOptions {
  /** Idle interpreters kept per eval version (code hash). */
  maxIdlePerVersion?: number;
  /** Interpreters alive at once, busy or idle, across all versions; callers beyond it wait. */
  maxTotal?: number;
  /** An idle interpreter unused this long is stopped. */
  idleTtlMs?: number;
  /** Per-trace deadline; default SANDBOX_TIMEOUT_MS. */
  timeoutMs?: number;
  limits?: Partial<SandboxLimits>;
  backend?: SandboxBackend;
}

interface Idle {
  interpreter: JailedInterpreter;
  key: string;
  since: number;
  timer: ReturnType<typeof setTimeout>;
}

export class WarmPool {
  private readonly idle = new Map<string, Idle[]>();
  private readonly waiting: Array<() => void> = [];
  private readonly limits: SandboxLimits;
  private readonly maxIdlePerVersion: number;
  private readonly maxTotal: number;
  private readonly idleTtlMs: number;
  private readonly backendOverride: SandboxBackend | undefined;
  private live = 0;
  private closed = false;
  private nextId = 0;

  constructor(options: WarmPoolOptions = {}) {
    this.limits = resolveLimits(options.limits, options.timeoutMs ?? readSandboxSettings().timeoutMs);
    this.maxIdlePerVersion = options.maxIdlePerVersion ?? 2;
    this.maxTotal = Math.max(1, options.maxTotal ?? 8);
    this.idleTtlMs = options.idleTtlMs ?? 60_000;
    this.backendOverride = options.backend;
  }

  /** Scores one trace with the eval `code` (always statically checked); rejects EvalLoadError if it cannot load. */
  async score(code: string, trace: unknown, id = `online-${++this.nextId}`): Promise<TraceResult> {
    const key = versionKey(code);
    // LOST: the interpreter was stopped before this trace's turn (a forged line of an earlier trace): retry once.
    for (let attempt = 1; ; attempt++) {
      const interpreter = await this.acquire(key, code);
      const scored = await interpreter.score({ id, trace });
      this.release(key, interpreter);
      if (!interpreter.alive) this.replenish(key, code); // a crash or a hang cost this version its warm process
      if (scored !== LOST) return scored;
      if (attempt === 2 || this.closed) throw new Error("the interpreter was stopped before it scored the trace");
    }
  }

  /** Starts an interpreter for `code` ahead of its first trace, unless one is already idle. */
  async warm(code: string): Promise<void> {
    const key = versionKey(code);
    if ((this.idle.get(key)?.length ?? 0) > 0) return;
    this.release(key, await this.acquire(key, code));
  }

  stats(): { live: number; idle: number; versions: number } {
    let idle = 0;
    for (const entries of this.idle.values()) idle += entries.length;
    return { live: this.live, idle, versions: this.idle.size };
  }

  close(): void {
    this.closed = true;
    for (const entries of this.idle.values()) for (const entry of entries.splice(0)) this.discard(entry.interpreter, entry);
    this.idle.clear();
    for (const wake of this.waiting.splice(0)) wake();
  }

  private async acquire(key: string, code: string): Promise<JailedInterpreter> {
    while (true) {
      if (this.closed) throw new Error("the warm pool is closed");
      const entries = this.idle.get(key);
      const entry = entries?.pop();
      if (entries?.length === 0) this.idle.delete(key);
      if (entry) {
        clearTimeout(entry.timer);
        if (entry.interpreter.alive && !this.tooOld(entry.interpreter)) return entry.interpreter;
        this.discard(entry.interpreter);
        continue;
      }
      if (this.live < this.maxTotal) return this.start(code);
      if (!this.evictLeastRecentlyUsed()) await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private async start(code: string): Promise<JailedInterpreter> {
    this.live++;
    try {
      const backend = this.backendOverride ?? selectBackend();
      if (backend.name === "none") console.warn(`[sandbox] ${UNCONFINED_WARNING}`);
      return await JailedInterpreter.start({ backend, code, limits: this.limits, staticCheck: true });
    } catch (error) {
      this.live--;
      this.waiting.shift()?.();
      throw error;
    }
  }

  private release(key: string, interpreter: JailedInterpreter): void {
    const entries = this.idle.get(key) ?? [];
    if (this.closed || !interpreter.alive || this.tooOld(interpreter) || entries.length >= this.maxIdlePerVersion) {
      this.discard(interpreter);
      return;
    }
    const entry: Idle = { interpreter, key, since: performance.now(), timer: setTimeout(() => this.expire(entry), this.idleTtlMs) };
    entry.timer.unref?.();
    entries.push(entry);
    this.idle.set(key, entries);
    this.waiting.shift()?.();
  }

  private replenish(key: string, code: string): void {
    if (this.closed || this.live >= this.maxTotal || (this.idle.get(key)?.length ?? 0) > 0) return;
    this.start(code).then(
      (interpreter) => this.release(key, interpreter),
      () => {}, // the next score() reports a load failure to its caller
    );
  }

  private expire(entry: Idle): void {
    const entries = this.idle.get(entry.key);
    const index = entries?.indexOf(entry) ?? -1;
    if (!entries || index === -1) return;
    entries.splice(index, 1);
    if (entries.length === 0) this.idle.delete(entry.key);
    this.discard(entry.interpreter);
  }

  private evictLeastRecentlyUsed(): boolean {
    let oldest: Idle | undefined;
    for (const entries of this.idle.values()) for (const entry of entries) if (!oldest || entry.since < oldest.since) oldest = entry;
    if (!oldest) return false;
    clearTimeout(oldest.timer);
    this.expire(oldest);
    return true;
  }

  private discard(interpreter: JailedInterpreter, entry?: Idle): void {
    if (entry) clearTimeout(entry.timer);
    interpreter.close();
    this.live--;
    this.waiting.shift()?.();
  }

  private tooOld(interpreter: JailedInterpreter): boolean {
    return interpreter.ageMs > this.limits.maxProcessAgeMs;
  }
}

function versionKey(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}
