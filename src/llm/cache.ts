// Response cache keyed by a hash of the whole request: the same prompt, model and settings are paid for once.
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { llmCache } from "../db/schema";
import type { LlmClient, LlmRequest, LlmResponse } from "./client";
import { callCostUsd } from "./cost";

/** Keys are sorted so the hash depends on the request's content, not on property order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(request: LlmRequest): string {
  return createHash("sha256").update(canonicalJson(request)).digest("hex");
}

/** A client that answers from the workspace's cache when it can and stores every fresh response. */
export function cachedClient(db: Db, workspaceId: string, inner: LlmClient): LlmClient {
  return {
    async complete(request, signal) {
      const hash = requestHash(request);
      const [hit] = await db.select().from(llmCache).where(and(eq(llmCache.workspaceId, workspaceId), eq(llmCache.requestHash, hash)));
      if (hit) {
        return { text: hit.responseText, model: hit.model, tokensIn: hit.tokensIn, tokensOut: hit.tokensOut, costUsd: callCostUsd(hit.model, hit.tokensIn, hit.tokensOut), cached: true };
      }
      const response: LlmResponse = await inner.complete(request, signal);
      await db
        .insert(llmCache)
        .values({ workspaceId, requestHash: hash, model: response.model, responseText: response.text, tokensIn: response.tokensIn, tokensOut: response.tokensOut })
        .onConflictDoNothing();
      return response;
    },
  };
}
