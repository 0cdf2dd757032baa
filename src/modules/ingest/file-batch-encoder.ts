// Runs file-batch encoding (file-batch.ts) on a worker thread, so normalizing the next batches overlaps storing this one.
import type { FileBatchRequest, FileBatchResult } from "./file-batch";

export class FileBatchEncoder {
  private readonly worker = new Worker(new URL("./file-batch-worker.ts", import.meta.url).href);
  private readonly pending = new Map<number, { resolve: (result: FileBatchResult) => void; reject: (error: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker.onmessage = (event: MessageEvent<{ id: number; result?: FileBatchResult; error?: string }>) => {
      const waiter = this.pending.get(event.data.id);
      this.pending.delete(event.data.id);
      if (event.data.result) waiter?.resolve(event.data.result);
      else waiter?.reject(new Error(`Encoding a batch failed: ${event.data.error}`));
    };
    this.worker.onerror = (event) => this.failAll(new Error(`The import's worker thread failed: ${event.message}`));
  }

  /** Batches are encoded one after another, so results arrive in the order they were asked for. */
  encode(request: FileBatchRequest): Promise<FileBatchResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, request });
    });
  }

  close(): void {
    this.worker.terminate();
    this.failAll(new Error("The import's worker thread was closed"));
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
