// Worker thread entry for runBatchOnThread (batch-thread.ts): runs runBatch over the traces it is sent, posting results in chunks.
import { preparedBackend, serializeError, type FromWorker, type ToWorker, type WorkerBatchOptions } from "./batch-thread.ts";
import { runBatch } from "./run-batch.ts";
import { unpackTraces } from "./trace-chunk.ts";
import type { TraceItem, TraceResult } from "./types.ts";

declare const self: Worker;

/** Results per message back; fewer go as soon as runBatch has nothing more ready. */
const RESULT_CHUNK = 128;

const inbox: TraceItem[][] = [];
const stopping = new AbortController();
let sourceEnded = false;
let wakeSource: (() => void) | undefined;
let outgoing: TraceResult[] = [];
let flushArmed = false;

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === "start") void run(message.options);
  else if (message.type === "traces") inbox.push(unpackTraces(message.chunk));
  else if (message.type === "end") sourceEnded = true;
  else {
    // runBatch closes its source when it stops: the source must end now rather than wait for traces that will not come.
    sourceEnded = true;
    inbox.length = 0;
    stopping.abort(new Error("the batch was stopped"));
  }
  const wake = wakeSource;
  wakeSource = undefined;
  wake?.();
};

async function run(options: WorkerBatchOptions): Promise<void> {
  let error: unknown;
  try {
    const { backend, ...rest } = options;
    for await (const result of runBatch({ ...rest, backend: preparedBackend(backend), traces: traces(), signal: stopping.signal })) send(result);
  } catch (caught) {
    error = caught;
  }
  flush();
  post({ type: "finished", error: error === undefined || stopping.signal.aborted ? undefined : serializeError(error) });
  // With no listener left, the thread exits once its jails are reaped and their fds closed.
  self.onmessage = null;
}

async function* traces(): AsyncGenerator<TraceItem> {
  while (true) {
    const chunk = inbox.shift();
    if (chunk) yield* chunk;
    else if (sourceEnded) return;
    else await new Promise<void>((resolve) => (wakeSource = resolve));
  }
}

function send(result: TraceResult): void {
  outgoing.push(result);
  if (outgoing.length >= RESULT_CHUNK) flush();
  else if (!flushArmed) {
    // Runs once runBatch has no further result ready this turn: a slow trace's result never waits for more.
    flushArmed = true;
    setImmediate(flush);
  }
}

function flush(): void {
  flushArmed = false;
  if (outgoing.length === 0) return;
  post({ type: "results", results: outgoing });
  outgoing = [];
}

function post(message: FromWorker): void {
  self.postMessage(message);
}
