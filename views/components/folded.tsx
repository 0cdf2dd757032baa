// Long text folded behind a summary that states its full size: never cut off silently.
import { jsonText } from "./format";

const FOLD_AT = 1200;
const PREVIEW = 400;

export function Folded({ value, label }: { value: unknown; label?: string }) {
  const text = jsonText(value);
  if (text === "") return <p class="muted empty">{label ? `No ${label}` : "Empty"}</p>;
  if (text.length <= FOLD_AT) return <pre class="content" safe>{text}</pre>;
  return (
    <details class="folded">
      <summary>
        <pre class="content preview" safe>{text.slice(0, PREVIEW)}</pre>
        <span class="fold-note" safe>{`Show all ${text.length.toLocaleString("en-US")} characters`}</span>
      </summary>
      <pre class="content" safe>{text}</pre>
    </details>
  );
}
