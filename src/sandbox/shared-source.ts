// Lets several workers pull from one (async) iterable without ever calling next() concurrently.
import type { TraceItem } from "./types.ts";

export class SharedSource {
  private readonly iterator: AsyncIterator<TraceItem> | Iterator<TraceItem>;
  private queue: Promise<unknown> = Promise.resolve();
  private exhausted = false;

  constructor(traces: AsyncIterable<TraceItem> | Iterable<TraceItem>) {
    this.iterator = Symbol.asyncIterator in traces ? traces[Symbol.asyncIterator]() : traces[Symbol.iterator]();
  }

  /** The next trace, or undefined once the source is exhausted or closed. Errors of the source propagate. */
  next(): Promise<TraceItem | undefined> {
    const step = this.queue.then(async () => {
      if (this.exhausted) return undefined;
      const result = await this.iterator.next();
      if (result.done) this.exhausted = true;
      return result.done ? undefined : result.value;
    });
    this.queue = step.catch(() => undefined);
    return step;
  }

  /** Stops pulling and lets the source release what it holds (e.g. a database cursor). */
  async close(): Promise<void> {
    if (this.exhausted) return;
    this.exhausted = true;
    await this.queue;
    await this.iterator.return?.();
  }
}
