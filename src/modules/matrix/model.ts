// Matrix inputs (filters, sort, keyset cursor, versions shown) parsed from query strings, and the row shapes the page renders.
import { z } from "zod";
import { optionalDate, optionalText } from "../../http/query-params";
import { executionErrorKinds, labels, type Label } from "../../db/schema";

/** An enum where an empty form value means "any". */
const blankable = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.union([z.enum(values), z.literal("")]).optional().transform((v) => (v ? (v as T[number]) : undefined));

export const verdicts = ["pass", "fail", "error", "none"] as const;
export type Verdict = (typeof verdicts)[number];

/** Sortable columns: fixed ones, or `v:<versionId>` for one version's verdict. */
const sortInput = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (!v) return "time" as const;
    if (v === "time" || v === "trace" || v === "source" || v === "label" || v === "agreement") return v;
    if (/^v:[\w-]{1,100}$/.test(v)) return v as `v:${string}`;
    ctx.addIssue({ code: "custom", message: `Cannot sort by "${v}"` });
    return z.NEVER;
  });
export type MatrixSort = z.output<typeof sortInput>;

export const matrixFilterInput = z.object({
  /** A saved trace filter's id: its traces are the rows (labelled in the set or not) instead of the set's labelled traces. */
  rows: optionalText,
  /** "contradictions": a shown version (or the focus version) disagrees with the ground truth; "disagreements": shown versions disagree with each other. */
  only: blankable(["contradictions", "disagreements"]),
  /** Ground truth label; "none" = reviewers disagree and nobody settled it; "unlabeled" = no label in the set (saved-filter rows). */
  label: blankable([...labels, "none", "unlabeled"]),
  /** The version the verdict, error and contradiction filters look at; none = any shown version. */
  focus: optionalText,
  verdict: blankable([...verdicts]),
  error: blankable([...executionErrorKinds]),
  source: optionalText,
  from: optionalDate,
  to: optionalDate,
  sort: sortInput,
  dir: z.enum(["", "asc", "desc"]).optional().transform((v) => (v === "asc" ? ("asc" as const) : ("desc" as const))),
  cursor: optionalText,
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
export type MatrixFilter = z.output<typeof matrixFilterInput>;

/** No filter, newest first. */
export const defaultMatrixFilter = (): MatrixFilter => matrixFilterInput.parse({});

/** At most this many versions side by side: beyond it the table stops being readable. */
export const MAX_VERSIONS = 12;

export interface MatrixRequest {
  filter: MatrixFilter;
  /** Explicitly chosen versions (`v` repeated or comma-separated); empty = the default choice. */
  versionIds: string[];
}

/** Reads `v` as repeated keys or a comma list, and the rest through the zod schema. */
export function parseMatrixQuery(params: URLSearchParams): { success: true; data: MatrixRequest } | { success: false; issues: z.core.$ZodIssue[] } {
  const versionIds = [...new Set(params.getAll("v").flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean))].slice(0, MAX_VERSIONS);
  const parsed = matrixFilterInput.safeParse(Object.fromEntries([...params.keys()].filter((k) => k !== "v").map((k) => [k, params.get(k) ?? ""])));
  if (!parsed.success) return { success: false, issues: parsed.error.issues };
  return { success: true, data: { filter: parsed.data, versionIds } };
}

/** The filter (and versions) as a query string, for links that keep it: next page, sort headers, exports. */
export function matrixQueryString(request: MatrixRequest, overrides: Partial<Record<keyof MatrixFilter, string | undefined>> = {}): string {
  const params = new URLSearchParams();
  for (const id of request.versionIds) params.append("v", id);
  const f = request.filter;
  const values: Record<string, string | undefined> = {
    rows: f.rows,
    only: f.only,
    label: f.label,
    focus: f.focus,
    verdict: f.verdict,
    error: f.error,
    source: f.source,
    from: f.from?.toISOString().slice(0, 10),
    to: f.to?.toISOString().slice(0, 10),
    sort: f.sort === "time" ? undefined : f.sort,
    dir: f.dir === "desc" ? undefined : f.dir,
    limit: f.limit ? String(f.limit) : undefined,
    cursor: f.cursor,
    ...overrides,
  };
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.toString();
}

/** Keyset position: the last row's sort value and trace id, opaque in URLs. */
export interface MatrixCursor {
  value: string | number;
  id: string;
}

export function encodeMatrixCursor(cursor: MatrixCursor): string {
  return Buffer.from(JSON.stringify([cursor.value, cursor.id])).toString("base64url");
}

export function decodeMatrixCursor(value: string | undefined): MatrixCursor | null {
  if (!value) return null;
  try {
    const [sortValue, id] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as unknown[];
    if (typeof id !== "string" || (typeof sortValue !== "string" && typeof sortValue !== "number")) return null;
    return { value: sortValue, id };
  } catch {
    return null;
  }
}

/** An eval version as a matrix column. */
export interface VersionColumn {
  id: string;
  evalId: string;
  evalName: string;
  version: number;
  active: boolean;
  /** Its byte in the maintained verdicts of the set's traces (eval_versions.set_slot). */
  slot: number;
}

export interface Reviewer {
  id: string;
  name: string;
  labels: number;
}

export interface MatrixCell {
  versionId: string;
  verdict: Verdict;
  errorKind: string | null;
  durationMs: number | null;
  /** Against the ground truth: null when either side has no pass/fail. */
  agrees: boolean | null;
}

export interface MatrixRow {
  traceId: string;
  source: string;
  externalId: string;
  name: string | null;
  timestamp: Date;
  truth: Label | null;
  reviewers: number;
  votes: Record<string, Label>;
  cells: MatrixCell[];
  agreeing: number;
  comparable: number;
}

export const relabelInput = z.object({
  trace_id: z.string().trim().min(1).max(100),
  label: z.enum(labels),
  version_id: z.string().trim().max(100).optional(),
});

export const queueInput = z.object({
  trace_id: z.string().trim().min(1).max(100),
  version_id: z.string().trim().max(100).optional(),
});

export const runInput = z.object({
  version_id: z.string().trim().min(1).max(100),
  scope: z.enum(["set", "filter", "all"]),
  only_missing: z.enum(["", "on", "true", "false"]).optional().transform((v) => v === "on" || v === "true"),
  /** The matrix query string whose rows "filter" scope means. */
  filter: z.string().max(4000).optional(),
});
