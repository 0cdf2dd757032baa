// Server-side Python syntax highlighting: a small tokenizer whose every token is escaped, rendered as numbered lines.
import { escapeHtml } from "@kitajs/html";

const KEYWORDS = new Set("False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case".split(" "));
const BUILTINS = new Set("abs all any bool dict enumerate filter float int isinstance len list map max min print range repr reversed round set sorted str sum tuple type zip ValueError KeyError TypeError Exception".split(" "));

/** Alternatives in priority order: triple-quoted strings, strings, comments, numbers, names, decorators, the rest. */
const TOKEN = /([rRbBuUfF]{0,2}"""[\s\S]*?(?:"""|$)|[rRbBuUfF]{0,2}'''[\s\S]*?(?:'''|$))|([rRbBuUfF]{0,2}"(?:\\.|[^"\\\n])*"?|[rRbBuUfF]{0,2}'(?:\\.|[^'\\\n])*'?)|(#[^\n]*)|(\b\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?j?\b)|([A-Za-z_]\w*)|(@[A-Za-z_][\w.]*)|(\n)|([^\w\n"'#@]+|.)/g;

function span(kind: string, text: string): string {
  // A token spanning lines (a docstring) is closed and reopened at each newline, so every line stands alone.
  return text.split("\n").map((part) => (part ? `<span class="py-${kind}">${escapeHtml(part)}</span>` : "")).join("\n");
}

/** The code as one HTML string per line, every character escaped. */
export function highlightPython(code: string): string[] {
  let html = "";
  let previousName = "";
  for (const m of code.replace(/\r\n/g, "\n").matchAll(TOKEN)) {
    const [text, triple, string, comment, number, name, decorator, newline] = m;
    if (triple || string) html += span("str", text);
    else if (comment) html += span("com", text);
    else if (number) html += span("num", text);
    else if (name) {
      const kind = KEYWORDS.has(name) ? "kw" : previousName === "def" || previousName === "class" ? "def" : BUILTINS.has(name) ? "bi" : "";
      html += kind ? span(kind, text) : escapeHtml(text);
      previousName = name;
      continue;
    } else if (decorator) html += span("dec", text);
    else if (newline) html += "\n";
    else html += escapeHtml(text);
    if (!/^\s+$/.test(text)) previousName = "";
  }
  return html.split("\n");
}

export const CODE_STYLE = `
.code-block { margin: 0; background: #fbfbfa; border: 1px solid var(--line, #ddd); border-radius: 6px; font: 12px/1.5 var(--mono, monospace); overflow: auto; max-height: 70vh; }
.code-block table { border-collapse: collapse; width: 100%; }
.code-block td { padding: 0 8px; white-space: pre; vertical-align: top; border: 0; }
.code-block td.ln { color: #999; text-align: right; user-select: none; width: 1%; border-right: 1px solid #eee; }
.code-block tr.added { background: #e6ffec; } .code-block tr.removed { background: #ffebe9; } .code-block tr.fold td { color: #888; background: #f3f3f3; font-style: italic; }
.py-kw { color: #8959a8; font-weight: 600; } .py-str { color: #718c00; } .py-com { color: #8e908c; font-style: italic; } .py-num { color: #f5871f; } .py-def { color: #4271ae; font-weight: 600; } .py-bi { color: #3e999f; } .py-dec { color: #c82829; }
.code-editor textarea { width: 100%; min-height: 420px; font: 12px/1.5 var(--mono, monospace); }
`;

/** Highlighted code with line numbers. */
export function CodeBlock({ code, id }: { code: string; id?: string }) {
  const lines = highlightPython(code);
  return (
    <div class="code-block" id={id}>
      <style>{CODE_STYLE}</style>
      <table>
        <tbody>
          {lines.map((safeHtml, index) => (
            <tr>
              <td class="ln">{index + 1}</td>
              <td class="src">{safeHtml}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
