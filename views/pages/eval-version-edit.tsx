// The code editor: a textarea with a live highlighted preview; saving makes a hand-edited version, checked and tested.
import { CodeBlock } from "../components/code-python";

export interface EvalVersionEditProps {
  evaluation: { id: string; name: string };
  base: { id: string; version: number };
  code: string;
  error?: string;
  csrfToken: string;
}

export function EvalVersionEditPage(props: EvalVersionEditProps) {
  return (
    <section class="eval-edit">
      <p class="crumbs"><a href="/evals">Evals</a> / <a href={`/evals/${props.evaluation.id}`} safe>{props.evaluation.name}</a> / <a href={`/eval-versions/${props.base.id}`} safe>{`v${props.base.version}`}</a> /</p>
      <h1>Edit as a new version</h1>
      <p class="muted">Standard library only (json, re, math, datetime, collections, itertools, functools, statistics, string, difflib, unicodedata, typing). Saving runs the static check and then the code on every labelled trace in the sandbox.</p>
      {props.error ? <pre class="content form-error" role="alert" id="edit-error" safe>{props.error}</pre> : ""}
      <form method="post" action={`/eval-versions/${props.base.id}/edit`} class="code-editor">
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <textarea name="code" spellcheck="false" hx-post="/eval-versions/preview" hx-trigger="input changed delay:300ms" hx-target="#code-preview" hx-swap="innerHTML" safe>{props.code}</textarea>
        <button type="submit" class="primary">Save version</button>
      </form>
      <h2>Preview</h2>
      <div id="code-preview">
        <CodeBlock code={props.code} />
      </div>
    </section>
  );
}
