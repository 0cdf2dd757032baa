// The diff between two versions of one eval.
import type { DiffRow } from "../../src/modules/evals/line-diff";
import { DiffView } from "../components/diff-lines";

export interface EvalVersionDiffProps {
  evaluation: { id: string; name: string };
  from: { id: string; version: number; code: string };
  to: { id: string; version: number; code: string };
  rows: DiffRow[];
  added: number;
  removed: number;
}

export function EvalVersionDiffPage(props: EvalVersionDiffProps) {
  return (
    <section class="eval-diff">
      <p class="crumbs"><a href="/evals">Evals</a> / <a href={`/evals/${props.evaluation.id}`} safe>{props.evaluation.name}</a> /</p>
      <h1>
        <a href={`/eval-versions/${props.from.id}`} safe>{`v${props.from.version}`}</a> → <a href={`/eval-versions/${props.to.id}`} safe>{`v${props.to.version}`}</a>
      </h1>
      <p id="diff-summary" safe>{props.added === 0 && props.removed === 0 ? "The code is identical." : `${props.added} line${props.added === 1 ? "" : "s"} added, ${props.removed} removed`}</p>
      <DiffView rows={props.rows} oldCode={props.from.code} newCode={props.to.code} />
    </section>
  );
}
