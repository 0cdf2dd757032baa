// Runs the real app on a real port with an in-process worker, for browser tests.
import type { JobDefinition } from "../../src/jobs/definition";
import { startWorker, type Worker } from "../../src/jobs/worker";
import { createTestApp, type TestApp } from "./app";

export interface TestServer extends TestApp {
  url: string;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startTestServer(options: { env?: Record<string, string>; jobDefinitions?: JobDefinition<any>[] } = {}): Promise<TestServer> {
  const t = await createTestApp(options);
  const server = t.app.listen({ port: 0, hostname: "127.0.0.1" });
  const worker = await startWorker({ database: t.deps.database, definitions: options.jobDefinitions ?? [], logger: t.deps.logger, concurrency: 1, pollMs: 200 });
  return {
    ...t,
    url: `http://127.0.0.1:${server.server!.port}`,
    worker,
    async stop() {
      await server.stop(true);
      await worker.stop();
      await t.close();
    },
  };
}
