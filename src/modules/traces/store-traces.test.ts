// storeTraces on either write path (COPY on Postgres, a JSON recordset on PGlite): every column as given, upserts in place.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq, sql } from "drizzle-orm";
import { traces } from "../../db/schema";
import { createUser } from "../auth/service";
import { createTestDatabase, type TestDatabase } from "../../../test/support/database";
import { makeTrace } from "../../../test/support/traces";
import { encodeTraces, encodingFor, storeEncodedTraces, storeTraces } from "./service";

let t: TestDatabase;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ workspaceId } = await createUser(t.database, { name: "Ada", email: "ada@example.com", password: "correct horse battery", workspaceName: "w", role: "owner" }));
}, 30_000);
afterAll(() => t.drop());

const rich = makeTrace({
  id: "rich",
  source: "my-agent",
  name: "tab\there, quote \" and back\\slash",
  timestamp: "2026-03-04T05:06:07.890Z",
  tags: ["a", 'q"uote', "back\\slash", "comma,brace}"],
  user_id: "user-1",
  session_id: "s-1",
  latency_ms: 1234.5,
  cost_usd: 0.000123,
  has_errors: true,
  metadata: { environment: "staging" },
  input: "multi\nline\r\ninput with é and 😀",
});

describe("storeTraces", () => {
  test("every column arrives as given, whichever path the database takes", async () => {
    const raw = { original: true, text: "line\nbreak\ttab \\ backslash" };
    await storeTraces(t.database, [{ workspaceId, source: "my-agent", externalId: "rich", raw, normalized: rich, integrationId: null }]);
    const [row] = await t.database.db.select().from(traces).where(eq(traces.externalId, "rich"));
    expect(row).toMatchObject({
      source: "my-agent",
      name: rich.name,
      timestamp: new Date(rich.timestamp),
      raw,
      schemaVersion: 1,
      normalizeError: null,
      hasErrors: true,
      tags: rich.tags,
      userId: "user-1",
      sessionId: "s-1",
      environment: "staging",
      toolNames: ["get_order"],
      models: ["gpt-4o-mini"],
      latencyMs: 1234.5,
      costUsd: 0.000123,
      stepCount: 3,
      inputPreview: "multi line input with é and 😀",
      isDemo: false,
    });
    expect(row!.normalized).toEqual({ ...rich, id: row!.id });
    const [search] = await t.database.db.select({ hit: sql<boolean>`${traces.searchVector} @@ to_tsquery('simple', 'ships:* & tomorrow:* & multi')` }).from(traces).where(eq(traces.id, row!.id));
    expect(search!.hit).toBe(true);
  });

  test("storing again updates in place: same row id, inside the document too", async () => {
    const [before] = await t.database.db.select().from(traces).where(eq(traces.externalId, "rich"));
    await storeTraces(t.database, [{ workspaceId, source: "my-agent", externalId: "rich", raw: { second: true }, normalized: { ...rich, tags: [], latency_ms: null } }]);
    const rows = await t.database.db.select().from(traces).where(eq(traces.externalId, "rich"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(before!.id);
    expect((rows[0]!.normalized as { id: string }).id).toBe(before!.id);
    expect(rows[0]).toMatchObject({ raw: { second: true }, tags: [], latencyMs: null });
  });

  test("a failed trace keeps its error and fallbacks; an empty batch writes nothing", async () => {
    await storeTraces(t.database, [{ workspaceId, source: "file", externalId: "broken", raw: [1, 2], normalized: null, normalizeError: "bad\u0000shape", name: "fallback", timestamp: new Date("2026-01-01T00:00:00Z") }]);
    const [row] = await t.database.db.select().from(traces).where(eq(traces.externalId, "broken"));
    expect(row).toMatchObject({ normalized: null, raw: [1, 2], normalizeError: "bad\uFFFDshape", name: "fallback", timestamp: new Date("2026-01-01T00:00:00Z"), tags: [], stepCount: 0 });
    await storeEncodedTraces(t.database, encodeTraces([], encodingFor(t.database)));
    expect((await t.database.db.select().from(traces)).length).toBe(2);
  });
});
