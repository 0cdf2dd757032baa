// Encrypts integration secrets at rest with AES-256-GCM under the server's encryption key, bound to their workspace.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBoxError extends Error {}

/** `v1.<iv>.<ciphertext+tag>` in base64url; the workspace id is authenticated data, so a ciphertext copied to another workspace does not open. */
export function sealSecret(key: Buffer, plaintext: string, workspaceId: string): string {
  if (key.length !== 32) throw new SecretBoxError("The encryption key must be 32 bytes");
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(workspaceId, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, iv.toString("base64url"), body.toString("base64url")].join(".");
}

export function openSecret(key: Buffer, sealed: string, workspaceId: string): string {
  const [version, ivText, bodyText] = sealed.split(".");
  if (version !== VERSION || !ivText || !bodyText) throw new SecretBoxError("Unreadable secret (unknown format)");
  const body = Buffer.from(bodyText, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ivText, "base64url"));
  decipher.setAAD(Buffer.from(workspaceId, "utf8"));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretBoxError("The secret cannot be decrypted: was ENCRYPTION_KEY changed? Enter the secret key again.");
  }
}
