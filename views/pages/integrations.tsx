// The integrations page: Langfuse connections (add, test, import, sync, edit, disable, delete), file upload, and OTLP setup.
import type { ConnectionCheck, IntegrationView } from "../../src/modules/integrations/model";
import { formatDate } from "../components/format";
import { FormErrors } from "../components/form-errors";
import { JobStatusBadge } from "../components/job-status";

export interface IntegrationFormValues {
  name?: string;
  baseUrl?: string;
  publicKey?: string;
  syncIntervalMinutes?: string;
}

export interface IntegrationsPageProps {
  integrations: IntegrationView[];
  canManage: boolean;
  otlpUrl: string;
  /** The normalized trace contract as text (what an eval receives), for people writing evals. */
  schemaText: string;
  form?: { values: IntegrationFormValues; errors: string[] };
}

export function IntegrationsPage(props: IntegrationsPageProps) {
  return (
    <section class="stack">
      <h1>Integrations</h1>
      <IntegrationList integrations={props.integrations} canManage={props.canManage} form={props.form} />
      <UploadForm />
      <OtlpHelp otlpUrl={props.otlpUrl} />
      <details class="panel">
        <summary><h2>The normalized trace every source becomes</h2></summary>
        <p class="muted">What an eval's <code>evaluate(trace)</code> receives. As JSON Schema: <a href="/api/v1/schema/normalized-trace">/api/v1/schema/normalized-trace</a>.</p>
        <pre class="content" safe>{props.schemaText}</pre>
      </details>
    </section>
  );
}

export function IntegrationList({ integrations, canManage, form }: Pick<IntegrationsPageProps, "integrations" | "canManage" | "form">) {
  return (
    <div id="integrations" class="stack">
      <h2>Langfuse projects</h2>
      {integrations.length === 0 ? (
        <p class="empty-state">No Langfuse project connected yet.</p>
      ) : (
        <table class="integrations">
          <thead>
            <tr><th>Name</th><th>Host</th><th>Public key</th><th>Schedule</th><th>Last sync</th><th>Last job</th><th></th></tr>
          </thead>
          <tbody>
            {integrations.map((integration) => (
              <IntegrationRow integration={integration} canManage={canManage} />
            ))}
          </tbody>
        </table>
      )}
      {canManage ? <IntegrationForm action="/integrations" values={form?.values ?? {}} errors={form?.errors ?? []} /> : <p class="muted">Owners and admins connect Langfuse projects.</p>}
    </div>
  );
}

function IntegrationRow({ integration: i, canManage }: { integration: IntegrationView; canManage: boolean }) {
  return (
    <>
      <tr id={`integration-${i.id}`} class={i.enabled ? "" : "revoked"} data-integration={i.name}>
        <td>
          <strong safe>{i.name}</strong>
          {i.enabled ? "" : <span class="badge">disabled</span>}
        </td>
        <td><code safe>{i.baseUrl}</code></td>
        <td><code safe>{i.publicKey}</code></td>
        <td>{i.syncIntervalMinutes ? `every ${String(i.syncIntervalMinutes)} min` : "manual"}</td>
        <td class="nowrap" safe>{formatDate(i.lastSyncedAt)}</td>
        <td>
          {i.lastJob ? (
            <a href={`/jobs/${i.lastJob.id}`}><JobStatusBadge status={i.lastJob.status} /></a>
          ) : "—"}
        </td>
        <td class="nowrap">
          {canManage ? (
            <div class="job-controls">
              <button class="small" hx-post={`/integrations/${i.id}/test`} hx-target={`#check-${i.id}`} hx-swap="innerHTML">Test connection</button>
              {i.enabled ? <button class="small" hx-post={`/integrations/${i.id}/sync`}>Sync now</button> : ""}
              <a class="small" href={`/integrations/${i.id}/edit`}>Edit</a>
              <button class="small" hx-post={`/integrations/${i.id}/${i.enabled ? "disable" : "enable"}`} hx-target="#integrations" hx-swap="outerHTML">{i.enabled ? "Disable" : "Enable"}</button>
              <button class="small danger" hx-post={`/integrations/${i.id}/delete`} hx-target="#integrations" hx-swap="outerHTML" hx-confirm="Delete this connection? Imported traces stay.">Delete</button>
            </div>
          ) : ""}
          <div id={`check-${i.id}`} aria-live="polite"></div>
        </td>
      </tr>
      {canManage && i.enabled ? (
        <tr class="import-row">
          <td colspan="7">
            <details>
              <summary safe>{`Import from ${i.name}…`}</summary>
              <ImportForm integrationId={i.id} />
            </details>
          </td>
        </tr>
      ) : ""}
    </>
  );
}

export function ImportForm({ integrationId }: { integrationId: string }) {
  return (
    <form class="inline-form" method="post" action={`/integrations/${integrationId}/import`} hx-post={`/integrations/${integrationId}/import`} hx-target={`#import-errors-${integrationId}`} hx-swap="innerHTML">
      <label>From <input type="date" name="from" /></label>
      <label>To <input type="date" name="to" /></label>
      <label>Trace name <input name="name" maxlength="200" /></label>
      <label>Tags <input name="tags" placeholder="a, b" maxlength="200" /></label>
      <label>User <input name="userId" maxlength="200" /></label>
      <label>Session <input name="sessionId" maxlength="200" /></label>
      <label>Environment <input name="environment" maxlength="200" /></label>
      <button type="submit" class="primary">Import</button>
      <div id={`import-errors-${integrationId}`}></div>
    </form>
  );
}

export function IntegrationForm({ action, values, errors, editing }: { action: string; values: IntegrationFormValues; errors: string[]; editing?: boolean }) {
  return (
    <form class="stack card" method="post" action={action} hx-post={action} hx-target={editing ? "#main" : "#integrations"} hx-swap={editing ? "innerHTML" : "outerHTML"} autocomplete="off">
      <h3>{editing ? "Edit connection" : "Connect a Langfuse project"}</h3>
      <FormErrors errors={errors} />
      <label>Name <input name="name" required maxlength="100" value={values.name ?? ""} placeholder="Production agent" /></label>
      <label>Host URL <input name="baseUrl" required type="url" value={values.baseUrl ?? ""} placeholder="https://cloud.langfuse.com" /></label>
      <label>Public key <input name="publicKey" required maxlength="200" value={values.publicKey ?? ""} placeholder="pk-lf-…" /></label>
      <label>
        Secret key{" "}
        <input name="secretKey" type="password" maxlength="500" autocomplete="new-password" required={!editing} placeholder={editing ? "Stored encrypted — leave blank to keep it" : "sk-lf-…"} />
      </label>
      <label>Sync every (minutes) <input name="syncIntervalMinutes" type="number" min="5" max="10080" value={values.syncIntervalMinutes ?? ""} placeholder="blank = manual only" /></label>
      <button type="submit" class="primary">{editing ? "Save" : "Connect"}</button>
    </form>
  );
}

export function EditIntegrationPage({ id, values, errors }: { id: string; values: IntegrationFormValues; errors: string[] }) {
  return (
    <section class="stack">
      <p class="crumbs"><a href="/integrations">Integrations</a> /</p>
      <IntegrationForm action={`/integrations/${id}`} values={values} errors={errors} editing />
    </section>
  );
}

export function ConnectionResult({ check }: { check: ConnectionCheck }) {
  return <p class={check.ok ? "notice" : "error-text"} role="status" safe>{check.message}</p>;
}

export function UploadForm({ errors = [] }: { errors?: string[] }) {
  return (
    <div id="upload" class="stack">
      <h2>Upload a file</h2>
      <p class="muted">
        JSON Lines or a JSON array of traces: Langfuse exports (a trace with its observations), OpenAI chat records (messages and tool calls),
        or iofold normalized traces. Bad lines are reported by line number; the good ones are imported.
      </p>
      <form class="inline-form" method="post" action="/import/file" enctype="multipart/form-data" hx-post="/import/file" hx-target="#upload-errors" hx-swap="innerHTML">
        <input type="file" name="file" accept=".jsonl,.json,.ndjson,application/json" required aria-label="Trace file" />
        <button type="submit" class="primary">Upload and import</button>
      </form>
      <div id="upload-errors"><FormErrors errors={errors} /></div>
    </div>
  );
}

function OtlpHelp({ otlpUrl }: { otlpUrl: string }) {
  return (
    <div class="stack">
      <h2>OpenTelemetry</h2>
      <p>
        Any agent instrumented with the OpenTelemetry GenAI conventions (<code>gen_ai.*</code>) can export straight to iofold over OTLP/HTTP (protobuf or JSON).
        Create an <a href="/settings/tokens">API token</a>, then:
      </p>
      <pre class="content" safe>{`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${otlpUrl}\nOTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf\nOTEL_EXPORTER_OTLP_TRACES_HEADERS="Authorization=Bearer <token>"`}</pre>
    </div>
  );
}
