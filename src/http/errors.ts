// Application errors with an HTTP status and a stable code, shared by the API and the HTML pages.
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
  }
}

export class AuthRequiredError extends AppError {
  constructor() {
    super(401, "unauthenticated", "Sign in, or send an API token as `Authorization: Bearer <token>`.");
  }
}

export class NotFoundError extends AppError {
  constructor(what = "Page") {
    super(404, "not_found", `${what} not found.`);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: unknown) {
    super(422, "invalid_input", message, details);
  }
}

export class CsrfError extends AppError {
  constructor() {
    super(403, "csrf_failed", "This form has expired or came from another site. Reload the page and try again.");
  }
}

/** The one JSON error shape of the API. */
export function errorBody(error: AppError): { error: { code: string; message: string; details?: unknown } } {
  return { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
}
