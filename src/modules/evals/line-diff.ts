// A line diff between two texts by longest common subsequence, with unchanged runs folded to context around changes.

export type DiffLine = { kind: "same" | "added" | "removed"; text: string; oldLine: number | null; newLine: number | null };
export type DiffRow = DiffLine | { kind: "fold"; hidden: number };

/** LCS table over lines; O(n·m) is fine for evals (the sandbox caps code at 200k chars, real ones are a few hundred lines). */
export function diffLines(oldText: string, newText: string): DiffLine[] {
  const a = oldText.replace(/\r\n/g, "\n").split("\n");
  const b = newText.replace(/\r\n/g, "\n").split("\n");
  // Common head and tail are matched directly, so the table covers only the changed middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const lcs = Array.from({ length: am.length + 1 }, () => new Uint32Array(bm.length + 1));
  for (let i = am.length - 1; i >= 0; i--) {
    for (let j = bm.length - 1; j >= 0; j--) lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const out: DiffLine[] = [];
  for (let k = 0; k < head; k++) out.push({ kind: "same", text: a[k], oldLine: k + 1, newLine: k + 1 });
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      out.push({ kind: "same", text: am[i], oldLine: head + i + 1, newLine: head + j + 1 });
      i++;
      j++;
    } else if (i < am.length && (j === bm.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      // Removals before additions, as readers of unified diffs expect.
      out.push({ kind: "removed", text: am[i], oldLine: head + i + 1, newLine: null });
      i++;
    } else {
      out.push({ kind: "added", text: bm[j], oldLine: null, newLine: head + j + 1 });
      j++;
    }
  }
  for (let k = 0; k < tail; k++) out.push({ kind: "same", text: a[a.length - tail + k], oldLine: a.length - tail + k + 1, newLine: b.length - tail + k + 1 });
  return out;
}

/** Keeps `context` unchanged lines around each change and folds longer unchanged runs into a count. */
export function foldUnchanged(lines: readonly DiffLine[], context = 3): DiffRow[] {
  const near = lines.map(() => false);
  lines.forEach((line, index) => {
    if (line.kind === "same") return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k++) near[k] = true;
  });
  const rows: DiffRow[] = [];
  let hidden = 0;
  lines.forEach((line, index) => {
    if (near[index]) {
      if (hidden) rows.push({ kind: "fold", hidden });
      hidden = 0;
      rows.push(line);
    } else hidden++;
  });
  if (hidden) rows.push({ kind: "fold", hidden });
  return rows;
}
