// Shared by the sandbox benchmarks: the machine they ran on, and a plain-text figure table.
import { availableParallelism, cpus, release, totalmem } from "node:os";
import { describeSandbox } from "../../src/sandbox/backend.ts";

export function machineInfo(): string[] {
  const python = Bun.spawnSync(["/usr/bin/python3", "--version"]).stdout.toString().trim();
  return [
    `cpu: ${cpus()[0]?.model ?? "unknown"} × ${availableParallelism()}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB, kernel ${release()}`,
    `bun ${Bun.version}, ${python}`,
    describeSandbox(),
  ];
}

export function printTable(title: string, header: string[], rows: string[][], notes: string[] = []): void {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  console.log(`\n${title}`);
  for (const info of machineInfo()) console.log(`  ${info}`);
  console.log();
  console.log(line(header));
  console.log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) console.log(line(row));
  for (const note of notes) console.log(`\n${note}`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
