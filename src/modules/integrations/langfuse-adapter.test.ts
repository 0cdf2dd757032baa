// The Langfuse adapter's request policy: slow requests time out and are retried; Retry-After dates are honoured; 4xx is final.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { LangfuseReader, LangfuseRequestError, retryAfterOf } from "./langfuse-adapter";

let calls = 0;
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      calls++;
      const path = new URL(request.url).pathname;
      // The first trace-list request hangs past the client's timeout; the retry is answered at once.
      if (path === "/api/public/traces" && calls === 1) await Bun.sleep(1500);
      if (path === "/api/public/v2/observations") return Response.json({ message: "bad limit" }, { status: 400 });
      return Response.json({ data: [], meta: { page: 1, limit: 1, totalItems: 0, totalPages: 0 } });
    },
  });
});
afterAll(() => server.stop(true));

test("a slow request times out and is retried", async () => {
  const notices: string[] = [];
  const reader = new LangfuseReader(
    { baseUrl: `http://127.0.0.1:${server.port}`, publicKey: "pk", secretKey: "sk" },
    { policy: { timeoutMs: 200, baseDelayMs: 1 }, onRetry: (n) => notices.push(n.reason) },
  );
  const page = await reader.listTraces({ page: 1, limit: 1 });
  expect(page.totalItems).toBe(0);
  expect(notices).toHaveLength(1);
  expect(notices[0]).toContain("timed out");
});

test("a 400 is not retried and carries the server's message", async () => {
  const reader = new LangfuseReader({ baseUrl: `http://127.0.0.1:${server.port}`, publicKey: "pk", secretKey: "sk" }, { policy: { baseDelayMs: 1 } });
  const error = await reader.scanObservationsV2({ limit: 1 }).catch((e) => e);
  expect(error).toBeInstanceOf(LangfuseRequestError);
  expect(error).toMatchObject({ status: 400, retryable: false });
  expect(error.message).toContain("bad limit");
});

test("Retry-After as seconds or as an HTTP date", () => {
  const withHeader = (value: string) => ({ rawResponse: { headers: new Headers({ "retry-after": value }) } });
  expect(retryAfterOf(withHeader("3"))).toBe(3000);
  expect(retryAfterOf(withHeader(new Date(10_000).toUTCString()), 4_000)).toBe(6000);
  expect(retryAfterOf(withHeader("soon"))).toBeNull();
  expect(retryAfterOf({})).toBeNull();
});
