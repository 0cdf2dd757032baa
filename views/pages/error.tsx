// Error pages and the error partial htmx swaps in place.
import { BareLayout } from "../layout";

export function ErrorPartial({ status, message }: { status: number; message: string }) {
  return (
    <div class="error-box" role="alert">
      <strong>{status === 404 ? "Not found" : status >= 500 ? "Something went wrong" : "Could not do that"}</strong>
      <p safe>{message}</p>
    </div>
  );
}

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <BareLayout title={status === 404 ? "Not found" : "Error"}>
      <h1 safe>{String(status)}</h1>
      <ErrorPartial status={status} message={message} />
      <p>
        <a href="/">Back to iofold</a>
      </p>
    </BareLayout>
  );
}
