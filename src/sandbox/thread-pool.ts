// The worker threads runBatchOnThread runs on, kept warm between runs: one idle thread waits, unreferenced, for the next batch.
import type { ToWorker } from "./batch-thread.ts";

/** How long a retiring thread gets to kill and reap its jails before it is terminated anyway. */
const RETIRE_GRACE_MS = 5000;
/**
 * Idle threads kept. One serves the common case (runs one after another) with no thread to start: a fresh thread
 * loads its modules and compiles its hot paths cold, 20–50 ms before its first result. More would hold memory
 * (~15 MB each) for the rarer concurrent runs, which start a thread of their own.
 */
const MAX_IDLE = 1;

/** Bun's Worker has these; the DOM's Worker type, which the project's lib declares too, does not. */
type ThreadWorker = Worker & { ref(): void; unref(): void; readonly threadId: number };

export class SandboxThread {
  readonly worker = new Worker(new URL("./batch-thread-worker.ts", import.meta.url).href) as ThreadWorker;
  readonly exited: Promise<void>;
  private closed = false;

  constructor() {
    this.exited = new Promise<void>((resolve) =>
      this.worker.addEventListener("close", () => {
        this.closed = true;
        idle.delete(this);
        resolve();
      }),
    );
  }

  get alive(): boolean {
    return !this.closed;
  }

  /**
   * Lets the thread go (stopped mid-batch, failed, or one idle thread too many): it exits by itself once its jails are
   * reaped and their fds closed (terminating it earlier would leave zombies and open fds behind), or is terminated
   * after a grace period.
   */
  async retire(): Promise<void> {
    idle.delete(this);
    this.post({ type: "retire" });
    let grace: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.exited, new Promise<void>((resolve) => (grace = setTimeout(resolve, RETIRE_GRACE_MS)))]);
    clearTimeout(grace);
    this.worker.terminate();
  }

  post(message: ToWorker, transfer: Transferable[] = []): void {
    if (!this.closed) this.worker.postMessage(message, transfer);
  }
}

const idle = new Set<SandboxThread>();

/** A thread for one batch: the idle one if there is one, else a new one. It keeps the process alive until released. */
export function takeThread(): SandboxThread {
  const [thread] = idle;
  if (!thread) return new SandboxThread();
  idle.delete(thread);
  thread.worker.ref();
  return thread;
}

/** After a batch its thread finished by itself (complete, or failed with its jails closed): kept idle, or let go. */
export function releaseThread(thread: SandboxThread): void {
  thread.worker.onmessage = null;
  thread.worker.onerror = null;
  if (!thread.alive) return;
  if (idle.size >= MAX_IDLE) return void thread.retire();
  thread.worker.unref();
  idle.add(thread);
}

/**
 * Starts the idle thread ahead of the first run (the job worker does, on PGlite), so that run finds its modules
 * loaded. Idle threads never keep the process alive.
 */
export function prepareThread(): void {
  if (idle.size > 0) return;
  const thread = new SandboxThread();
  thread.worker.unref();
  idle.add(thread);
}

/** The idle threads' ids, oldest first: what the next runs will use. */
export function idleThreadIds(): number[] {
  return [...idle].map((thread) => thread.worker.threadId);
}
