// A local fake of the Anthropic Messages API (POST /v1/messages) with scripted replies, errors and real response shapes.

export interface MessagesRequest {
  model: string;
  system?: string;
  messages: { role: "user" | "assistant"; content: string | { type: string; text?: string }[] }[];
  max_tokens: number;
  stream?: boolean;
}

export type ScriptedReply =
  | { kind: "text"; text: string; outputTokens?: number }
  | { kind: "error"; status: 429 | 529 | 500 | 400; type: "rate_limit_error" | "overloaded_error" | "api_error" | "invalid_request_error"; retryAfterSeconds?: number };

export interface FakeAnthropic {
  url: string;
  /** Every request body received, in order. */
  requests: MessagesRequest[];
  /** Replies served first-in first-out before `respond` is consulted. */
  script(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

const ERROR_MESSAGES: Record<string, string> = {
  rate_limit_error: "Number of request tokens has exceeded your per-minute rate limit",
  overloaded_error: "Overloaded",
  api_error: "Internal server error",
  invalid_request_error: "Invalid request",
};

export function textOf(request: MessagesRequest): string {
  return request.messages.map((m) => (typeof m.content === "string" ? m.content : m.content.map((c) => c.text ?? "").join(""))).join("\n");
}

function errorResponse(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ type: "error", error: { type, message }, request_id: `req_${crypto.randomUUID()}` }, { status, headers: { "request-id": `req_${crypto.randomUUID()}`, ...headers } });
}

/**
 * `respond` answers every request not covered by a scripted reply (default: an eval that passes everything).
 * Checks the headers the real API requires, so a misconfigured client fails here as it would there.
 */
export function startFakeAnthropic(respond: (request: MessagesRequest) => ScriptedReply = () => ({ kind: "text", text: "```python\ndef evaluate(trace):\n    return True, \"looks fine\"\n```" })): FakeAnthropic {
  const queue: ScriptedReply[] = [];
  const requests: MessagesRequest[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method !== "POST" || url.pathname !== "/v1/messages") return errorResponse(404, "not_found_error", `${req.method} ${url.pathname} not found`);
      if (!req.headers.get("x-api-key") && !req.headers.get("authorization")?.startsWith("Bearer ")) {
        return errorResponse(401, "authentication_error", "an x-api-key or Authorization: Bearer header is required");
      }
      if (!req.headers.get("anthropic-version")) return errorResponse(400, "invalid_request_error", "anthropic-version header is required");
      const body = (await req.json()) as MessagesRequest;
      if (!body.model || !Array.isArray(body.messages) || typeof body.max_tokens !== "number") {
        return errorResponse(400, "invalid_request_error", "model, messages and max_tokens are required");
      }
      // API version 2026-10-21 rejects sampling parameters, even at their defaults.
      for (const field of ["temperature", "top_p", "top_k"]) {
        if (field in body) return errorResponse(400, "invalid_request_error", `${field}: Extra inputs are not permitted`);
      }
      if (body.stream) return errorResponse(400, "invalid_request_error", "this fake does not stream");
      requests.push(body);
      const reply = queue.shift() ?? respond(body);
      if (reply.kind === "error") {
        return errorResponse(reply.status, reply.type, ERROR_MESSAGES[reply.type], { "retry-after": String(reply.retryAfterSeconds ?? 0) });
      }
      const inputTokens = Math.ceil(((body.system ?? "").length + textOf(body).length) / 4);
      return Response.json({
        id: `msg_${crypto.randomUUID().replaceAll("-", "")}`,
        type: "message",
        role: "assistant",
        model: body.model,
        content: [{ type: "text", text: reply.text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: reply.outputTokens ?? Math.ceil(reply.text.length / 4), cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: async () => {
      await server.stop(true);
    },
  };
}
