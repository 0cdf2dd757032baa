// Worker thread entry for runBatchOnThread (batch-thread.ts): runs runBatch over the traces it is sent, posting results in chunks, one batch after another.
import { preparedBackend, serializeError, type FromWorker, type ToWorker, type WorkerBatchOptions } from "./batch-thread.ts";
import { runBatch } from "./run-batch.ts";
import { unpackTraces } from "./trace-chunk.ts";
import type { TraceItem, TraceResult } from "./types.ts";

declare const self: Worker;

/** Results per message back; fewer go as soon as runBatch has nothing more ready. */
const RESULT_CHUNK = 128;

/** One batch's state on this thread: the traces received and not yet pulled, and the results not yet posted. */
class WorkerBatch {
  readonly stopping = new AbortController();
  private readonly inbox: TraceItem[][] = [];
  private sourceEnded = false;
  private wakeSource: (() => void) | undefined;
  private outgoing: TraceResult[] = [];
  private flushArmed = false;

  receive(message: Exclude<ToWorker, { type: "start" | "retire" }>): void {
    if (message.type === "traces") this.inbox.push(unpackTraces(message.chunk));
    else if (message.type === "end") this.sourceEnded = true;
    else {
      // runBatch closes its source when it stops: the source must end now rather than wait for traces that will not come.
      this.sourceEnded = true;
      this.inbox.length = 0;
      this.stopping.abort(new Error("the batch was stopped"));
    }
    const wake = this.wakeSource;
    this.wakeSource = undefined;
    wake?.();
  }

  async run(options: WorkerBatchOptions): Promise<void> {
    let error: unknown;
    try {
      const { backend, ...rest } = options;
      const results = runBatch({ ...rest, backend: preparedBackend(backend), traces: this.traces(), signal: this.stopping.signal });
      for await (const result of results) this.send(result);
    } catch (caught) {
      error = caught;
    }
    this.flush();
    post({ type: "finished", error: error === undefined || this.stopping.signal.aborted ? undefined : serializeError(error) });
  }

  private async *traces(): AsyncGenerator<TraceItem> {
    while (true) {
      const chunk = this.inbox.shift();
      if (chunk) yield* chunk;
      else if (this.sourceEnded) return;
      else await new Promise<void>((resolve) => (this.wakeSource = resolve));
    }
  }

  private send(result: TraceResult): void {
    this.outgoing.push(result);
    if (this.outgoing.length >= RESULT_CHUNK) this.flush();
    else if (!this.flushArmed) {
      // Runs once runBatch has no further result ready this turn: a slow trace's result never waits for more.
      this.flushArmed = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushArmed = false;
    if (this.outgoing.length === 0) return;
    post({ type: "results", results: this.outgoing });
    this.outgoing = [];
  }
}

let current: WorkerBatch | undefined;

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "start") {
    const batch = new WorkerBatch();
    current = batch;
    void batch.run(message.options).then(() => {
      if (current === batch) current = undefined;
      // A stopped batch's thread is retired: the other side waits for it to exit, which proves its jails reaped.
      if (batch.stopping.signal.aborted) retire();
    });
  } else if (message.type === "retire") retire();
  else if (current) current.receive(message);
  // A stop that crossed the batch's end: the other side waits for this thread to exit.
  else if (message.type === "stop") retire();
};

/** With no listener left, the thread exits once its jails are reaped and their fds closed. */
function retire(): void {
  self.onmessage = null;
}

function post(message: FromWorker): void {
  self.postMessage(message);
}
