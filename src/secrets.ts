// Server secrets (session and encryption keys): from the environment, or generated once into the data dir.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "./config";

export interface Secrets {
  sessionKey: Buffer;
  encryptionKey: Buffer;
  /** Which keys were generated on this boot, for the startup log. */
  generated: string[];
}

export function loadSecrets(config: Config): Secrets {
  const generated: string[] = [];
  const keyFile = (name: string, fromEnv: string | undefined): Buffer => {
    if (fromEnv) return Buffer.from(fromEnv, "base64");
    const path = join(config.dataDir, "secrets", name);
    if (existsSync(path)) return Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    mkdirSync(join(config.dataDir, "secrets"), { recursive: true, mode: 0o700 });
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32)));
    writeFileSync(path, key.toString("base64") + "\n", { mode: 0o600 });
    chmodSync(path, 0o600);
    generated.push(`${name} (${path})`);
    return key;
  };
  return {
    sessionKey: keyFile("session.key", config.SESSION_SECRET),
    encryptionKey: keyFile("encryption.key", config.ENCRYPTION_KEY),
    generated,
  };
}
