// One export in its own process, so its peak RSS (VmHWM) is its own: streamed as the app does it, or built whole in memory (naive).
import { readFileSync } from "node:fs";
import { openDatabase } from "../../src/db/client";
import { defaultMatrixFilter } from "../../src/modules/matrix/model";
import { encode, matrixTable } from "../../src/modules/exports/service";
import type { ExportFormat } from "../../src/modules/exports/model";
import { benchUrl } from "./data";

const [format, mode] = process.argv.slice(2) as [ExportFormat, "stream" | "naive"];
const versionIds = (process.env.VERSION_IDS ?? "").split(",");
const database = await openDatabase({ kind: "postgres", url: benchUrl(), max: 2 });
const rssMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 1024;
const baseline = rssMb();
const started = performance.now();
const { table } = await matrixTable(database, "ws-bench", "set-bench", { filter: defaultMatrixFilter(), versionIds });
let bytes = 0;
let rows = 0;
if (mode === "stream") {
  const counting = { columns: table.columns, rows: (async function* () { for await (const row of table.rows) { rows++; yield row; } })() };
  for await (const chunk of encode(format, counting, "matrix")) bytes += chunk.length;
} else {
  // The naive way: every row in memory first, then the whole file as one buffer.
  const all = [];
  for await (const row of table.rows) all.push(row);
  rows = all.length;
  const chunks: Uint8Array[] = [];
  for await (const chunk of encode(format, { columns: table.columns, rows: (async function* () { yield* all; })() }, "matrix")) chunks.push(chunk);
  bytes = Buffer.concat(chunks).length;
}
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ format, mode, rows, bytes, seconds, baselineMb: baseline, peakMb: rssMb() }));
await database.close();
