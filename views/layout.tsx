// The page shell: document head, navigation, the CSRF header for htmx, and the main region pages render into.
import type { PropsWithChildren } from "@kitajs/html";

export interface Viewer {
  name: string;
  email: string;
  workspaceName: string;
  csrfToken: string;
  hasDemoData: boolean;
}

export type NavSection = "traces" | "evals" | "eval-code" | "jobs" | "integrations" | "settings";

const nav: { id: NavSection; href: string; label: string }[] = [
  { id: "traces", href: "/traces", label: "Traces" },
  { id: "evals", href: "/eval-sets", label: "Eval sets" },
  { id: "eval-code", href: "/evals", label: "Evals" },
  { id: "jobs", href: "/jobs", label: "Jobs" },
  { id: "integrations", href: "/integrations", label: "Integrations" },
  { id: "settings", href: "/settings/tokens", label: "API tokens" },
];

export function Document({ title, children }: PropsWithChildren<{ title: string }>) {
  const documentTitle = title ? `${title} · iofold` : "iofold";
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="htmx-config" content='{"extensions": "sse"}' />
          <title safe>{documentTitle}</title>
          <link rel="stylesheet" href="/public/css/app.css" />
          <link rel="stylesheet" href="/public/css/review.css" />
          <script src="/public/vendor/htmx.min.js" defer></script>
          <script src="/public/vendor/hx-sse.js" defer></script>
          <script src="/public/js/app.js" defer></script>
        </head>
        {children}
      </html>
    </>
  );
}

/** A signed-in page: navigation plus `children` in <main id="main">, the region htmx navigations swap. */
export function Layout({ title, viewer, section, children }: PropsWithChildren<{ title: string; viewer: Viewer; section?: NavSection }>) {
  return (
    <Document title={title}>
      <body hx-headers:inherited={JSON.stringify({ "X-CSRF-Token": viewer.csrfToken })}>
        <header class="topbar">
          <a class="brand" href="/">iofold</a>
          <nav>
            {nav.map((item) => (
              <a href={item.href} class={item.id === section ? "active" : ""} aria-current={item.id === section ? "page" : undefined}>
                <span safe>{item.label}</span>
              </a>
            ))}
          </nav>
          <div class="who">
            <span class="workspace" safe>{viewer.workspaceName}</span>
            <span class="user" safe>{viewer.name}</span>
            <form method="post" action="/signout">
              <input type="hidden" name="_csrf" value={viewer.csrfToken} />
              <button type="submit" class="link">Sign out</button>
            </form>
          </div>
        </header>
        {viewer.hasDemoData ? <DemoBanner csrfToken={viewer.csrfToken} /> : ""}
        <main id="main">{children}</main>
      </body>
    </Document>
  );
}

function DemoBanner({ csrfToken }: { csrfToken: string }) {
  return (
    <div class="demo-banner" id="demo-banner">
      <span>This workspace holds <strong>demo data</strong>: generated traces and an example eval set.</span>
      <form method="post" action="/demo/remove" hx-post="/demo/remove" hx-confirm="Remove all demo traces and the demo eval set?">
        <input type="hidden" name="_csrf" value={csrfToken} />
        <button type="submit" class="small">Remove demo data</button>
      </form>
    </div>
  );
}

/** Pages outside the app (setup, sign-in, errors before sign-in): a centred card. */
export function BareLayout({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <Document title={title}>
      <body class="bare">
        <main id="main" class="card narrow">{children}</main>
      </body>
    </Document>
  );
}
