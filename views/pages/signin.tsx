// The sign-in form.
import { BareLayout } from "../layout";
import { FormErrors } from "../components/form-errors";

export function SignInPage({ errors = [], email = "", next = "" }: { errors?: string[]; email?: string; next?: string }) {
  return (
    <BareLayout title="Sign in">
      <h1>Sign in to iofold</h1>
      <FormErrors errors={errors} />
      <form method="post" action="/signin" class="stack">
        <input type="hidden" name="next" value={next} />
        <label>Email <input name="email" type="email" required autocomplete="email" autofocus value={email} /></label>
        <label>Password <input name="password" type="password" required autocomplete="current-password" /></label>
        <button type="submit" class="primary">Sign in</button>
      </form>
    </BareLayout>
  );
}
