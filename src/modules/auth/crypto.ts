// Token primitives: random bearer secrets and their keyed hashes (what the database stores instead).
import { createHmac, timingSafeEqual } from "node:crypto";

export function randomToken(bytes = 32): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("base64url");
}

/** HMAC with the server's session key: a leaked table alone cannot be turned back into working tokens. */
export function hashToken(token: string, key: Buffer): string {
  return createHmac("sha256", key).update(token).digest("hex");
}

export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
