// The Anthropic Messages client: one completion per call, retried with backoff on rate limits and overload.
import Anthropic from "@anthropic-ai/sdk";
import { callCostUsd } from "./cost";

export interface LlmRequest {
  model: string;
  /** Instructions only; data (traces, labels, code) goes in `messages`. */
  system: string;
  messages: { role: "user" | "assistant"; content: string }[];
  /** No temperature: API version 2026-10-21 rejects sampling parameters, so samples differ by their examples. */
  maxTokens: number;
}

export interface LlmResponse {
  text: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** True when served from the response cache (no tokens paid this time). */
  cached: boolean;
}

export interface LlmClient {
  complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmResponse>;
}

export interface AnthropicClientOptions {
  apiKey: string;
  baseURL?: string;
  /** Attempts after the first on 429 / 529 / 5xx. */
  maxRetries?: number;
  /** Backoff base when the server sends no retry-after; doubled each attempt, with jitter. */
  baseDelayMs?: number;
  /** Waits longer than this are cut short: a generation job should not sleep for minutes. */
  maxDelayMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (info: { attempt: number; status: number; delayMs: number }) => void;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504, 529]);

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** retry-after is seconds (or an HTTP date); retry-after-ms, when sent, is more precise. */
export function retryAfterMs(headers: Headers | undefined): number | null {
  const ms = headers?.get("retry-after-ms");
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const value = headers?.get("retry-after");
  if (!value) return null;
  if (Number.isFinite(Number(value))) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

export function createAnthropicClient(options: AnthropicClientOptions): LlmClient {
  // The SDK's own retries are off: ours honour retry-after, cap the wait and report each retry to the job log.
  const sdk = new Anthropic({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0, timeout: 300_000 });
  const maxRetries = options.maxRetries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 2_000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? abortableSleep;

  return {
    async complete(request, signal) {
      for (let attempt = 0; ; attempt++) {
        try {
          const message = await sdk.messages.create(
            { model: request.model, system: request.system, messages: request.messages, max_tokens: request.maxTokens },
            { signal },
          );
          const text = message.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("");
          const tokensIn = message.usage.input_tokens + (message.usage.cache_read_input_tokens ?? 0) + (message.usage.cache_creation_input_tokens ?? 0);
          const tokensOut = message.usage.output_tokens;
          return { text, model: message.model, tokensIn, tokensOut, costUsd: callCostUsd(message.model, tokensIn, tokensOut), cached: false };
        } catch (error) {
          const status = error instanceof Anthropic.APIError ? error.status : undefined;
          if (status === undefined || !RETRYABLE.has(status) || attempt >= maxRetries) throw error;
          const hinted = retryAfterMs((error as InstanceType<typeof Anthropic.APIError>).headers);
          const backoff = baseDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
          const delayMs = Math.min(maxDelayMs, hinted ?? backoff);
          options.onRetry?.({ attempt: attempt + 1, status, delayMs });
          await sleep(delayMs, signal);
        }
      }
    },
  };
}

/** What a failed call means to a user: the API's own error type and message when there is one. */
export function describeLlmError(error: unknown): string {
  if (error instanceof Anthropic.APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    const type = body?.error?.type ?? `HTTP ${error.status ?? "error"}`;
    return `${type}: ${body?.error?.message ?? error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
