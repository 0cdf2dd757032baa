// Exports parsed back and compared: CSV, JSONL and XLSX (unzipped with the system unzip) of the matrix and of executions, and the history.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestApp } from "../../../test/support/app";
import { exportsHistory } from "../../db/schema";
import { openMatrixApp, type MatrixFixture } from "../matrix/test-fixture";

let t: TestApp;
let session: { cookie: string; csrf: string };
let fx: MatrixFixture;
let dir: string;

beforeAll(async () => {
  ({ t, session, fx } = await openMatrixApp());
  dir = mkdtempSync(join(tmpdir(), "iofold-export-test-"));
}, 60_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await t.close();
}, 30_000);

/** RFC 4180: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  return rows;
}

const unescapeXml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");

/** Rows of the sheet XML: inline strings and numbers, empty cells as "". */
function parseSheet(xml: string): string[][] {
  return [...xml.matchAll(/<row>(.*?)<\/row>/gs)].map(([, cells]) =>
    [...cells!.matchAll(/<c\/>|<c><v>(.*?)<\/v><\/c>|<c t="inlineStr"><is><t xml:space="preserve">(.*?)<\/t><\/is><\/c>/gs)].map((m) => unescapeXml(m[1] ?? m[2] ?? "")),
  );
}

async function unzip(bytes: Uint8Array, entry: string): Promise<string> {
  const path = join(dir, `${Bun.randomUUIDv7()}.xlsx`);
  writeFileSync(path, bytes);
  const test = Bun.spawn(["unzip", "-tq", path], { stdout: "pipe", stderr: "pipe" });
  expect(await test.exited).toBe(0);
  const proc = Bun.spawn(["unzip", "-p", path, entry], { stdout: "pipe" });
  const text = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  return text;
}

const matrixQuery = () => `v=${fx.v1.id}&v=${fx.v2.id}&only=contradictions`;

test("matrix CSV, JSONL and XLSX hold the same rows as the filtered matrix, streamed", async () => {
  const api = (await (await t.request(`/api/v1/eval-sets/${fx.set.id}/matrix?${matrixQuery()}`, { cookie: session.cookie })).json()) as { data: { trace_id: string }[] };
  const expectedIds = api.data.map((r) => r.trace_id);
  expect(expectedIds.length).toBe(3);

  const csvResponse = await t.request(`/eval-sets/${fx.set.id}/matrix/export?format=csv&${matrixQuery()}`, { cookie: session.cookie });
  expect(csvResponse.headers.get("content-type")).toContain("text/csv");
  expect(csvResponse.headers.get("content-disposition")).toContain(".csv");
  const csv = parseCsv(await csvResponse.text());
  const header = csv[0]!;
  expect(header.slice(0, 7)).toEqual(["trace_id", "external_id", "source", "name", "timestamp", "label", "reviewers"]);
  expect(header).toContain("resolved v1 verdict");
  expect(header).toContain("resolved v2 reason");
  expect(csv.slice(1).map((r) => r[0])).toEqual(expectedIds);
  const t04 = csv.find((r) => r[1] === "t04")!;
  const col = (name: string) => header.indexOf(name);
  expect(t04[col("label")]).toBe("negative");
  expect(t04[col("resolved v1 verdict")]).toBe("pass");
  expect(t04[col("resolved v1 agrees")]).toBe("no");
  // Formula-looking text is defused; quotes, commas and newlines survive the round trip.
  expect(t04[col("resolved v1 reason")]).toBe(`'=SUM(1,2) "quoted", <b>&\nline`);
  const t03 = csv.find((r) => r[1] === "t03")!;
  expect(t03[col("reviewers")]).toBe("Ada: positive");

  const jsonl = (await (await t.request(`/eval-sets/${fx.set.id}/matrix/export?format=jsonl&${matrixQuery()}`, { cookie: session.cookie })).text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(jsonl.map((r) => r.trace_id)).toEqual(expectedIds);
  const j04 = jsonl.find((r) => r.external_id === "t04")!;
  expect(j04["resolved v1 reason"]).toBe(`=SUM(1,2) "quoted", <b>&\nline`);
  expect(j04["resolved v1 duration_ms"]).toBe(13);

  const xlsxResponse = await t.request(`/eval-sets/${fx.set.id}/matrix/export?format=xlsx&${matrixQuery()}`, { cookie: session.cookie });
  expect(xlsxResponse.headers.get("content-type")).toContain("spreadsheetml");
  const bytes = new Uint8Array(await xlsxResponse.arrayBuffer());
  const sheet = parseSheet(await unzip(bytes, "xl/worksheets/sheet1.xml"));
  expect(sheet[0]).toEqual(header);
  expect(sheet.slice(1).map((r) => r[0])).toEqual(expectedIds);
  const x04 = sheet.find((r) => r[1] === "t04")!;
  expect(x04[col("resolved v1 reason")]).toBe(`=SUM(1,2) "quoted", <b>&\nline`);
  expect(x04[col("resolved v1 duration_ms")]).toBe("13");
  // unzip reads [ ] as a wildcard class: escaped to name the file itself.
  expect(await unzip(bytes, "\\[Content_Types\\].xml")).toContain("spreadsheetml.worksheet+xml");
});

test("a version's executions export follows its filter, and the JSON API pages by cursor", async () => {
  const csv = parseCsv(await (await t.request(`/api/v1/eval-versions/${fx.v2.id}/executions?format=csv&verdict=fail`, { cookie: session.cookie })).text());
  expect(csv[0]).toEqual(["trace_id", "external_id", "source", "name", "timestamp", "label", "reviewers", "verdict", "reason", "error_kind", "error_message", "duration_ms", "ran_at"]);
  expect(csv.slice(1).map((r) => r[1]).sort()).toEqual(["t04", "t06", "t07", "t08", "t09"]);
  const t07 = csv.find((r) => r[1] === "t07")!;
  expect(t07[5]).toBe(""); // disputed: no ground truth
  expect(t07[6]).toBe("Ada: positive; Bea: negative");

  const xlsx = new Uint8Array(await (await t.request(`/api/v1/eval-versions/${fx.v1.id}/executions?format=xlsx&verdict=error`, { cookie: session.cookie })).arrayBuffer());
  const sheet = parseSheet(await unzip(xlsx, "xl/worksheets/sheet1.xml"));
  expect(sheet.length).toBe(2);
  expect(sheet[1]!.slice(7, 11)).toEqual(["error", "", "timeout", "timeout in trace 8"]);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await t.request(`/api/v1/eval-versions/${fx.v2.id}/executions?limit=4${cursor ? `&cursor=${cursor}` : ""}`, { cookie: session.cookie })).json()) as {
      data: { external_id: string }[];
      next_cursor: string | null;
    };
    seen.push(...page.data.map((r) => r.external_id));
    cursor = page.next_cursor;
  } while (cursor);
  expect(seen.sort()).toEqual(["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10"]);
  expect((await t.request(`/api/v1/eval-versions/${fx.v2.id}/executions?format=pdf`, { cookie: session.cookie })).status).toBe(422);
});

test("every export is in the history with its row count and size", async () => {
  const page = await (await t.request("/exports", { cookie: session.cookie })).text();
  expect(page).toContain("matrix");
  expect(page).toContain("finished");
  const rows = await t.deps.database.db.select().from(exportsHistory);
  const matrixCsv = rows.find((r) => r.kind === "matrix" && r.format === "csv")!;
  expect(matrixCsv).toMatchObject({ status: "finished", rowCount: 3 });
  expect(matrixCsv.bytes).toBeGreaterThan(100);
  expect(matrixCsv.filter).toContain("only=contradictions");
  expect(rows.filter((r) => r.kind === "executions").every((r) => r.status === "finished")).toBe(true);
});
