// API token settings: create a token (shown once), list and revoke.
import { formatDate } from "../components/format";

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  lastUsedAt: Date | null;
  createdAt: Date;
  revokedAt: Date | null;
}

export function NewTokenNotice({ token }: { token: string }) {
  return (
    <div class="notice" role="status">
      <p>Copy your new token now. It will not be shown again.</p>
      <code class="secret-once" safe>{token}</code>
      <p class="muted">Send it as <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/v1/…</code>.</p>
    </div>
  );
}

export function TokensPage({ tokens, created }: { tokens: TokenRow[]; created?: string }) {
  return (
    <section id="tokens">
      <h1>API tokens</h1>
      {created ? <NewTokenNotice token={created} /> : ""}
      <form method="post" action="/settings/tokens" hx-post="/settings/tokens" hx-target="#tokens" hx-swap="outerHTML" class="inline-form">
        <label>Name <input name="name" required maxlength="100" placeholder="CI pipeline" /></label>
        <button type="submit" class="primary">Create token</button>
      </form>
      <table>
        <thead><tr><th>Name</th><th>Token</th><th>Created</th><th>Last used</th><th></th></tr></thead>
        <tbody>
          {tokens.map((t) => (
            <tr class={t.revokedAt ? "revoked" : ""}>
              <td safe>{t.name}</td>
              <td><code safe>{`${t.prefix}…`}</code></td>
              <td safe>{formatDate(t.createdAt)}</td>
              <td safe>{formatDate(t.lastUsedAt)}</td>
              <td>
                {t.revokedAt ? "revoked" : (
                  <button class="small danger" hx-post={`/settings/tokens/${t.id}/revoke`} hx-target="#tokens" hx-swap="outerHTML" hx-confirm="Revoke this token? Anything using it stops working.">
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
