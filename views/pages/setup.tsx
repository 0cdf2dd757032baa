// First-run setup: creates the first user and their workspace.
import { BareLayout } from "../layout";
import { FormErrors } from "../components/form-errors";

export function SetupPage({ errors = [], values = {} }: { errors?: string[]; values?: Record<string, string> }) {
  return (
    <BareLayout title="Set up iofold">
      <h1>Welcome to iofold</h1>
      <p class="muted">Create the first account. You will own a new workspace{""} and can invite reviewers later.</p>
      <FormErrors errors={errors} />
      <form method="post" action="/setup" class="stack">
        <label>Your name <input name="name" required autocomplete="name" value={values.name ?? ""} /></label>
        <label>Email <input name="email" type="email" required autocomplete="email" value={values.email ?? ""} /></label>
        <label>Password <input name="password" type="password" required minlength="8" autocomplete="new-password" /></label>
        <label>Workspace name <input name="workspace" required value={values.workspace ?? "My workspace"} /></label>
        <button type="submit" class="primary">Create account</button>
      </form>
    </BareLayout>
  );
}
