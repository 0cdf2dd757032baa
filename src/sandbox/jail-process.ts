// One spawned jail running the harness: writes its stdin, reads its result channel (fd 3), drains and counts its output.
import { closeSync, writeSync } from "node:fs";
import { constants, tmpdir } from "node:os";
import { readChunks, splitLines } from "./line-reader.ts";
import { SandboxUnavailableError, type SandboxBackend, type SandboxLimits } from "./types.ts";

/** A result line carries at most a capped reason, stdout and traceback, JSON-escaped: far below this. */
const MAX_RESULT_LINE_BYTES = 512 * 1024;
const STDERR_TAIL_BYTES = 2048;
const EXIT_GRACE_MS = 200;
const KILL_ESCALATION_MS = 1000;
/** The only environment the jail (and the jail tool itself) receives: no secrets can leak through it. */
const JAIL_ENV = { LANG: "C.UTF-8", PATH: "/usr/bin:/bin" };

export interface JailHandlers {
  /** Bytes the child wrote to its stdout or stderr (eval code writing to raw fds, interpreter crashes). */
  onOutput(bytes: number): void;
}

export class JailProcess {
  private readonly proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  private readonly resultFd: number;
  private stderrTail = "";
  private flushQueued = false;
  private killed = false;
  /** Resolves once the child has exited and every stream is drained. */
  readonly finished: Promise<void>;

  constructor(
    private readonly backend: SandboxBackend,
    limits: SandboxLimits,
    private readonly handlers: JailHandlers,
  ) {
    const command = backend.command(limits);
    try {
      this.proc = Bun.spawn(command.argv, {
        // Extra "pipe" entries are socket pairs: fd 3 carries results back, fds 4+ carry `inputs` in.
        stdio: ["pipe", "pipe", "pipe", "pipe", ...command.inputs.map(() => "pipe" as const)],
        env: JAIL_ENV,
        cwd: tmpdir(),
      }) as Bun.Subprocess<"pipe", "pipe", "pipe">;
    } catch (error) {
      throw new SandboxUnavailableError(`could not start the ${backend.name} jail: ${(error as Error).message}`);
    }
    this.resultFd = this.proc.stdio[3] as unknown as number;
    command.inputs.forEach((data, index) => handOver(this.proc.stdio[4 + index] as unknown as number, data));
    this.finished = Promise.all([
      this.proc.exited,
      this.drain(this.proc.stdout, false),
      this.drain(this.proc.stderr, true),
    ]).then(() => undefined);
  }

  /** Result lines from fd 3; ends when the child is gone. Throws LineTooLongError on an oversized line. */
  async *resultLines(): AsyncGenerator<string> {
    try {
      yield* splitLines(Bun.file(this.resultFd).stream(), MAX_RESULT_LINE_BYTES);
    } finally {
      // The channel ends when the child exits, or when eval code closed it and runs on: give it a moment, then kill.
      await Promise.race([this.proc.exited, Bun.sleep(EXIT_GRACE_MS)]);
      this.kill();
      await this.proc.exited;
      closeSync(this.resultFd); // Bun does not close the extra stdio fds it hands out
    }
  }

  /** Queues text or bytes on the child's stdin; flushed once per tick so pipelined traces share a syscall. */
  write(data: string | Uint8Array): void {
    if (this.killed) return;
    try {
      this.proc.stdin.write(data);
    } catch {
      return; // the child is gone; its exit is reported through resultLines()
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        this.flushQueued = false;
        if (!this.killed) this.flush();
      });
    }
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    this.signal(this.backend.killSignal);
    if (this.backend.killSignal !== "SIGKILL") {
      // SIGTERM lets nsjail clean up its cgroups; if it does not exit promptly, stop it anyway.
      const escalation = setTimeout(() => this.signal("SIGKILL"), KILL_ESCALATION_MS);
      escalation.unref?.();
      void this.proc.exited.then(() => clearTimeout(escalation));
    }
  }

  exitDescription(): string {
    const { exitCode, signalCode } = this.proc;
    const how = signalCode ? `killed by ${signalCode}` : describeExitCode(exitCode);
    const stderr = this.stderrTail.trim();
    return stderr ? `${how}; stderr: ${stderr}` : how;
  }

  private signal(signal: "SIGTERM" | "SIGKILL"): void {
    try {
      this.proc.kill(signal);
    } catch {
      // already exited
    }
  }

  private flush(): void {
    try {
      const flushed = this.proc.stdin.flush();
      if (flushed instanceof Promise) flushed.catch(() => {});
    } catch {
      // the child closed its stdin; reported through resultLines()
    }
  }

  private async drain(stream: ReadableStream<Uint8Array>, keepTail: boolean): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of readChunks(stream)) {
        this.handlers.onOutput(chunk.length);
        if (keepTail) this.stderrTail = (this.stderrTail + decoder.decode(chunk.subarray(-STDERR_TAIL_BYTES))).slice(-STDERR_TAIL_BYTES);
      }
    } catch {
      // the stream broke because the child died: nothing more to drain
    }
  }
}

/** The jail tools report a child killed by signal N as exit code 128 + N. */
function describeExitCode(code: number | null): string {
  if (code === null) return "exit status unknown";
  const signal = code > 128 ? Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] : undefined;
  return signal ? `exit code ${code}: ${signal}` : `exit code ${code}`;
}

/** Writes `data` to the parent's end of a child's socket and closes it, so the child reads it up to end-of-file. */
function handOver(fd: number, data: Uint8Array): void {
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written);
  } finally {
    closeSync(fd);
  }
}
