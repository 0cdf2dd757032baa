// The step tree of a trace: nested collapsible steps with timing, model, usage, cost and errors.
import type { NormalizedStep } from "../../src/modules/traces/normalized-schema";
import { Folded } from "./folded";
import { formatCost, formatDuration } from "./format";

function childrenByParent(steps: NormalizedStep[]): Map<string | null, NormalizedStep[]> {
  const ids = new Set(steps.map((s) => s.id));
  const map = new Map<string | null, NormalizedStep[]>();
  for (const step of steps) {
    const parent = step.parent_id && ids.has(step.parent_id) ? step.parent_id : null;
    map.set(parent, [...(map.get(parent) ?? []), step]);
  }
  return map;
}

/** Roots open so the tree is visible at once; failed steps open wherever they are. */
function StepNode({ step, tree, depth }: { step: NormalizedStep; tree: Map<string | null, NormalizedStep[]>; depth: number }): string {
  const children = tree.get(step.id) ?? [];
  const failed = step.level === "error" || step.error !== null;
  return (
    <li>
      <details class={`step step-${step.type}${failed ? " failed" : ""}${step.level === "warning" ? " warning" : ""}`} open={failed || depth === 0 || undefined}>
        <summary>
          <span class={`badge type-${step.type}`}>{step.type}</span>
          <span class="step-name" safe>{step.name ?? "(unnamed)"}</span>
          {failed ? <span class="badge error">error</span> : ""}
          {step.level === "warning" ? <span class="badge warning">warning</span> : ""}
          <span class="step-meta">
            {step.model ? <span safe>{step.model}</span> : ""}
            {step.usage ? <span safe>{`${step.usage.input_tokens}→${step.usage.output_tokens} tok`}</span> : ""}
            {step.cost_usd !== null ? <span safe>{formatCost(step.cost_usd)}</span> : ""}
            <span safe>{step.ended_at === null ? "running" : formatDuration(step.duration_ms)}</span>
          </span>
        </summary>
        <div class="step-body">
          {step.error !== null ? <pre class="content error-text" safe>{step.error}</pre> : ""}
          <div class="io">
            <div>
              <h4>Input</h4>
              <Folded value={step.input} label="input" />
            </div>
            <div>
              <h4>Output</h4>
              <Folded value={step.output} label="output" />
            </div>
          </div>
          {children.length ? (
            <ul class="step-tree">
              {children.map((child) => (
                <StepNode step={child} tree={tree} depth={depth + 1} />
              ))}
            </ul>
          ) : (
            ""
          )}
        </div>
      </details>
    </li>
  ) as string;
}

export function StepTree({ steps }: { steps: NormalizedStep[] }) {
  if (steps.length === 0) return <p class="muted">This trace recorded no steps.</p>;
  const tree = childrenByParent(steps);
  return (
    <ul class="step-tree root">
      {(tree.get(null) ?? []).map((step) => (
        <StepNode step={step} tree={tree} depth={0} />
      ))}
    </ul>
  );
}
