// Configuration parsing: defaults, the database choice, and one specific message per bad value.
import { describe, expect, test } from "bun:test";
import { ConfigError, describeDatabase, loadConfig } from "./config";

describe("loadConfig", () => {
  test("defaults to the embedded database in ./data and the offline synthesizer", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.database).toEqual({ kind: "pglite", dir: expect.stringMatching(/\/data\/pglite$/) });
    expect(config.llmMode).toBe("offline");
    expect(config.IOFOLD_DEMO_DATA).toBe(true);
    expect(describeDatabase(config)).toStartWith("embedded PGlite at ");
  });

  test("DATABASE_URL selects Postgres, and the log line hides the password", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://app:s3cret@db.internal:6543/iofold", ANTHROPIC_API_KEY: "sk-x" });
    expect(config.database.kind).toBe("postgres");
    expect(config.llmMode).toBe("anthropic");
    expect(describeDatabase(config)).toBe("Postgres at db.internal:6543/iofold");
  });

  test("blank values count as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: " " }).database.kind).toBe("pglite");
  });

  test("every bad value is reported with its own message", () => {
    let error: ConfigError | null = null;
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", SANDBOX: "docker", ENCRYPTION_KEY: "c2hvcnQ=", IOFOLD_DEMO_DATA: "maybe" });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.message;
    expect(text).toContain("PORT: must be a port number");
    expect(text).toContain("DATABASE_URL: must start with postgres:// or postgresql://");
    expect(text).toContain("SANDBOX: must be auto, nsjail, bwrap or none");
    expect(text).toContain("ENCRYPTION_KEY: must be 32 bytes, base64-encoded");
    expect(text).toContain("IOFOLD_DEMO_DATA: must be true or false");
  });

  test("the headless admin needs both email and password", () => {
    expect(() => loadConfig({ IOFOLD_ADMIN_EMAIL: "a@b.co" })).toThrow("set both or neither");
    expect(() => loadConfig({ IOFOLD_ADMIN_EMAIL: "a@b.co", IOFOLD_ADMIN_PASSWORD: "short" })).toThrow("at least 8 characters");
  });
});
