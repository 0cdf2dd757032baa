// rawRows: PGlite rows as raw UTF-8 column bytes, with PGlite's own errors, waiting for a transaction in progress.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "./client";
import { rawRows } from "./pglite-raw-rows";

let database: Database;
const decoder = new TextDecoder();
const text = (value: Uint8Array | null) => (value === null ? null : decoder.decode(value));

beforeAll(async () => {
  database = await openDatabase({ kind: "pglite-memory" });
  await database.db.execute(sql`create table notes (id text primary key, body text, document json)`);
  await database.db.execute(sql`insert into notes values ('a', 'plain', '{"x": 1}'), ('b', null, '{"emoji": "🚀 café"}'), ('c', 'third', null)`);
}, 30_000);
afterAll(() => database.close());

test("returns every column of every row as its text bytes, NULL as null, with bound parameters", async () => {
  const rows = await rawRows(database.pglite!, sql`select id, body, document::text from notes where id >= ${"b"} and ${7} > 1 order by id`);
  expect(rows.map((row) => row.map(text))).toEqual([
    ["b", null, '{"emoji": "🚀 café"}'],
    ["c", "third", null],
  ]);
  expect(await rawRows(database.pglite!, sql`select id from notes where id > ${"z"}`)).toEqual([]);
});

test("a failing statement throws Postgres' message and code, and the next statement runs normally", async () => {
  const division = rawRows(database.pglite!, sql`select 1 / (count(*) - count(*)) from notes`);
  await expect(division).rejects.toThrow("division by zero");
  expect(await division.catch((error) => error.code)).toBe("22012");
  await expect(rawRows(database.pglite!, sql`select nope from notes`)).rejects.toThrow('column "nope" does not exist');
  expect((await rawRows(database.pglite!, sql`select count(*) from notes`)).map((row) => row.map(text))).toEqual([["3"]]);
});

test("waits for a transaction in progress instead of running inside it", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const transaction = database.pglite!.transaction(async (tx) => {
    await tx.query("insert into notes values ('d', 'uncommitted', null)");
    await held;
    await tx.query("update notes set body = 'committed' where id = 'd'");
  });
  await Bun.sleep(20);
  const read = rawRows(database.pglite!, sql`select body from notes where id = 'd'`);
  release();
  await transaction;
  expect((await read).map((row) => row.map(text))).toEqual([["committed"]]);
});

test("parameters other than text, numbers and booleans are refused with a message", async () => {
  await expect(rawRows(database.pglite!, sql`select ${new Date(0) as unknown as string}::timestamptz`)).rejects.toThrow("rawRows takes text, number and boolean parameters only; got [object Date]");
});
