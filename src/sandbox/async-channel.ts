// A bounded async queue: producers wait while it is full, so a slow consumer slows the producers down.

export class ChannelClosedError extends Error {
  constructor() {
    super("the channel is closed");
    this.name = "ChannelClosedError";
  }
}

export class AsyncChannel<T> {
  private readonly items: T[] = [];
  private readonly waitingPushers: Array<() => void> = [];
  private waitingPuller: (() => void) | undefined;
  private closed = false;
  private failure: unknown;

  constructor(private readonly capacity: number) {}

  /** Adds an item, waiting while the channel is full; throws ChannelClosedError once it is closed. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingPushers.push(resolve));
    }
    if (this.closed) throw new ChannelClosedError();
    this.items.push(item);
    this.wakePuller();
  }

  /** Ends the stream: the consumer gets the remaining items, then `error` (if any) is thrown to it. */
  close(error?: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.failure = error;
    for (const wake of this.waitingPushers.splice(0)) wake();
    this.wakePuller();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    while (true) {
      if (this.items.length > 0) {
        yield this.items.shift() as T;
        this.waitingPushers.shift()?.();
        continue;
      }
      if (this.closed) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waitingPuller = resolve));
    }
  }

  private wakePuller(): void {
    const wake = this.waitingPuller;
    this.waitingPuller = undefined;
    wake?.();
  }
}
