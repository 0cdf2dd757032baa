// One trace: summary, input and output, conversation, tool calls, the step tree, and the raw payload.
import type { NormalizedTrace } from "../../src/modules/traces/normalized-schema";
import { Folded } from "../components/folded";
import { formatCost, formatDate, formatDuration, jsonText } from "../components/format";
import { StepTree } from "../components/step-tree";

export interface TraceDetailProps {
  trace: { id: string; source: string; externalId: string; name: string | null; timestamp: Date; normalizeError: string | null; raw: unknown };
  normalized: NormalizedTrace | null;
}

export function TraceDetailPage({ trace, normalized: n }: TraceDetailProps) {
  return (
    <section class="trace-detail">
      <p class="crumbs">
        <a href="/traces">Traces</a> /
      </p>
      <h1 safe>{trace.name ?? "(unnamed trace)"}</h1>
      <dl class="facts">
        <div><dt>Time</dt><dd safe>{formatDate(trace.timestamp)}</dd></div>
        <div><dt>Source</dt><dd safe>{`${trace.source} · ${trace.externalId}`}</dd></div>
        {n ? (
          <>
            <div><dt>Latency</dt><dd safe>{formatDuration(n.latency_ms)}</dd></div>
            <div><dt>Cost</dt><dd safe>{formatCost(n.cost_usd)}</dd></div>
            <div><dt>Steps</dt><dd safe>{String(n.steps.length)}</dd></div>
            <div><dt>Status</dt><dd>{n.has_errors ? <span class="badge error">has errors</span> : <span class="badge ok">no errors</span>}</dd></div>
            {n.user_id ? <div><dt>User</dt><dd safe>{n.user_id}</dd></div> : ""}
            {n.session_id ? <div><dt>Session</dt><dd safe>{n.session_id}</dd></div> : ""}
            {n.tags.length ? (
              <div>
                <dt>Tags</dt>
                <dd>{n.tags.map((t) => <span class="tag" safe>{t}</span>)}</dd>
              </div>
            ) : ""}
          </>
        ) : ""}
      </dl>
      {trace.normalizeError ? (
        <div class="error-box" role="alert">
          <strong>This trace could not be normalized.</strong>
          <pre class="content" safe>{trace.normalizeError}</pre>
        </div>
      ) : ""}
      {n ? (
        <>
          <div class="io">
            <div>
              <h2>Input</h2>
              <Folded value={n.input} label="input" />
            </div>
            <div>
              <h2>Output</h2>
              <Folded value={n.output} label="output" />
            </div>
          </div>
          {n.messages.length ? (
            <details class="panel">
              <summary><h2 safe>{`Conversation (${n.messages.length} messages)`}</h2></summary>
              <ol class="messages">
                {n.messages.map((m) => (
                  <li class={`message role-${m.role.replace(/[^a-z]/g, "")}`}>
                    <span class="role" safe>{m.role}</span>
                    <Folded value={m.content} label="content" />
                  </li>
                ))}
              </ol>
            </details>
          ) : ""}
          {n.tool_calls.length ? (
            <div class="panel">
              <h2 safe>{`Tool calls (${n.tool_calls.length})`}</h2>
              <table class="tool-calls">
                <thead><tr><th>Tool</th><th>Arguments</th><th>Result</th></tr></thead>
                <tbody>
                  {n.tool_calls.map((call) => (
                    <tr class={call.error ? "has-errors" : ""}>
                      <td safe>{call.name}</td>
                      <td><Folded value={call.arguments} label="arguments" /></td>
                      <td>
                        {call.error ? <pre class="content error-text" safe>{call.error}</pre> : ""}
                        <Folded value={call.output} label="result" />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : ""}
          <div class="panel">
            <h2>
              <span safe>{`Steps (${n.steps.length})`}</span>
              <button type="button" class="small" data-toggle-steps>Expand all</button>
            </h2>
            <StepTree steps={n.steps} />
          </div>
          {Object.keys(n.metadata).length ? (
            <details class="panel">
              <summary><h2>Metadata</h2></summary>
              <Folded value={n.metadata} />
            </details>
          ) : ""}
        </>
      ) : ""}
      <details class="panel">
        <summary><h2>Raw payload</h2></summary>
        <Folded value={jsonText(trace.raw)} />
      </details>
    </section>
  );
}
