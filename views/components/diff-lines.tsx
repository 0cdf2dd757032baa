// A line diff between two versions' code: highlighted lines, old and new line numbers, unchanged runs folded.
import type { DiffRow } from "../../src/modules/evals/line-diff";
import { CODE_STYLE, highlightPython } from "./code-python";

export function DiffView({ rows, oldCode, newCode }: { rows: DiffRow[]; oldCode: string; newCode: string }) {
  const oldLines = highlightPython(oldCode);
  const newLines = highlightPython(newCode);
  return (
    <div class="code-block diff">
      <style>{CODE_STYLE}</style>
      <table>
        <tbody>
          {rows.map((row) => {
            if (row.kind === "fold") {
              return (
                <tr class="fold">
                  <td class="ln"></td>
                  <td class="ln"></td>
                  <td safe>{`… ${row.hidden} unchanged line${row.hidden === 1 ? "" : "s"}`}</td>
                </tr>
              );
            }
            const safeHtml = row.newLine !== null ? newLines[row.newLine - 1] : oldLines[row.oldLine! - 1];
            const mark = row.kind === "added" ? "+" : row.kind === "removed" ? "−" : " ";
            return (
              <tr class={row.kind === "same" ? "" : row.kind}>
                <td class="ln">{row.oldLine ?? ""}</td>
                <td class="ln">{row.newLine ?? ""}</td>
                <td class="src">{mark} {safeHtml}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
