// A local fake Langfuse public API (Bun.serve on port 0) serving a dataset exactly as the real API would, for tests and benches.
import { fixtureCredentials, fixtureScoreConfigs, type JsonRecord } from "../fixtures/langfuse/index.ts";
import { fixtureDataset, type FakeLangfuseDataset } from "./dataset.ts";
import {
  DEPRECATION_NOTICE,
  endpointRemoved,
  invalidRequest,
  json,
  notFound,
  rateLimited,
  unauthorized,
} from "./responses.ts";
import { toV2Row } from "./v2-rows.ts";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: unknown;
}

export interface FakeLangfuseOptions {
  dataset?: FakeLangfuseDataset;
  publicKey?: string;
  secretKey?: string;
  /** Langfuse Cloud after 2026-11-16: legacy trace and v1 observation reads answer 410 Gone. */
  v1Removed?: boolean;
  /** Add Cloud's `_deprecation` object to legacy read responses (default true, as the fixtures do). */
  deprecationNotice?: boolean;
}

export interface InjectedFailure {
  /** Seconds announced in Retry-After for a 429 (default 1). */
  retryAfterSeconds?: number;
  body?: unknown;
}

export interface FakeLangfuse {
  /** Base URL to give a client, e.g. http://127.0.0.1:54321 */
  url: string;
  publicKey: string;
  secretKey: string;
  /** Every request received, in order, including rejected ones. */
  requests: RecordedRequest[];
  /** Scores received through POST /api/public/scores, upserted by id. */
  scores: Map<string, JsonRecord>;
  scoreConfigs: JsonRecord[];
  /** The next `times` requests whose path equals `path` (or matches it) fail with `status`; 429s carry Retry-After and X-RateLimit-* headers. */
  failNext(path: string | RegExp, status: number, times?: number, failure?: InjectedFailure): void;
  setV1Removed(removed: boolean): void;
  stop(): Promise<void>;
}

const TRACES_PATH = "/api/public/traces";
const OBSERVATIONS_V1_PATH = "/api/public/observations";
const OBSERVATIONS_V2_PATH = "/api/public/v2/observations";
const SCORES_PATH = "/api/public/scores";
const SCORE_CONFIGS_PATH = "/api/public/score-configs";

const V2_FIELD_GROUPS: Record<string, string[]> = {
  core: ["id", "traceId", "startTime", "endTime", "projectId", "parentObservationId", "type"],
  basic: ["name", "level", "statusMessage", "version", "environment", "bookmarked", "public", "userId", "sessionId", "isRootObservation"],
  time: ["completionStartTime", "createdAt", "updatedAt"],
  io: ["input", "output"],
  metadata: ["metadata"],
  model: ["providedModelName", "internalModelId", "modelParameters", "modelId", "inputPrice", "outputPrice", "totalPrice"],
  usage: ["usageDetails", "costDetails", "totalCost", "usagePricingTierName"],
  prompt: ["promptId", "promptName", "promptVersion"],
  metrics: ["latency", "timeToFirstToken"],
  trace_context: ["tags", "release", "traceName"],
};

export function startFakeLangfuse(options: FakeLangfuseOptions = {}): FakeLangfuse {
  const dataset = options.dataset ?? fixtureDataset();
  const publicKey = options.publicKey ?? fixtureCredentials.publicKey;
  const secretKey = options.secretKey ?? fixtureCredentials.secretKey;
  const expectedAuthorization = `Basic ${btoa(`${publicKey}:${secretKey}`)}`;
  const withNotice = options.deprecationNotice ?? true;
  let v1Removed = options.v1Removed ?? false;
  const requests: RecordedRequest[] = [];
  const scores = new Map<string, JsonRecord>();
  const scoreConfigs = fixtureScoreConfigs().data.map((config) => ({ ...config }));
  const failures: Array<{ path: string | RegExp; status: number; remaining: number; failure: InjectedFailure }> = [];

  const traceById = new Map(dataset.traces.map((trace) => [String(trace.id), trace]));
  const tracesNewestFirst = [...dataset.traces].sort((a, b) => compareDesc(String(a.timestamp), String(b.timestamp)));
  let allV2Rows: JsonRecord[] | null = null;

  const legacy = (body: JsonRecord) => (withNotice ? { ...body, _deprecation: DEPRECATION_NOTICE } : stripNotice(body));

  function v2RowsOf(traceId: string): JsonRecord[] {
    const recorded = dataset.v2Rows.get(traceId);
    if (recorded) return recorded;
    const trace = traceById.get(traceId);
    return trace ? (dataset.observations.get(traceId) ?? []).map((observation) => toV2Row(observation, trace)) : [];
  }

  function listTraces(url: URL): Response {
    const paging = readPaging(url);
    if (paging instanceof Response) return paging;
    const query = url.searchParams;
    const from = query.get("fromTimestamp");
    const to = query.get("toTimestamp");
    const tags = query.getAll("tags").flatMap((value) => value.split(","));
    const environments = query.getAll("environment");
    const ascending = query.get("orderBy") === "timestamp.asc";
    const matches = (ascending ? [...tracesNewestFirst].reverse() : tracesNewestFirst).filter((trace) => {
      const timestamp = Date.parse(String(trace.timestamp));
      return (
        (from === null || timestamp >= Date.parse(from)) &&
        (to === null || timestamp < Date.parse(to)) &&
        equalsIfGiven(query.get("name"), trace.name) &&
        equalsIfGiven(query.get("userId"), trace.userId) &&
        equalsIfGiven(query.get("sessionId"), trace.sessionId) &&
        equalsIfGiven(query.get("release"), trace.release) &&
        equalsIfGiven(query.get("version"), trace.version) &&
        (environments.length === 0 || environments.includes(String(trace.environment))) &&
        tags.every((tag) => Array.isArray(trace.tags) && trace.tags.includes(tag))
      );
    });
    return json(legacy(paginate(matches, paging)));
  }

  function getTrace(traceId: string): Response {
    const recorded = dataset.details.get(traceId);
    if (recorded) return json(legacy(recorded));
    const trace = traceById.get(traceId);
    if (!trace) return notFound(`Trace ${traceId} not found within authorized project`);
    // The detail endpoint lists observations oldest first, unlike the v1 list.
    const observations = [...(dataset.observations.get(traceId) ?? [])].sort((a, b) =>
      String(a.startTime).localeCompare(String(b.startTime)),
    );
    const { observations: _ids, scores: _scoreIds, ...fields } = trace;
    return json(legacy({ ...fields, observations, scores: [] }));
  }

  function listObservationsV1(url: URL): Response {
    const paging = readPaging(url);
    if (paging instanceof Response) return paging;
    const query = url.searchParams;
    const traceId = query.get("traceId");
    const source = traceId !== null ? (dataset.observations.get(traceId) ?? []) : [...dataset.observations.values()].flat();
    const from = query.get("fromStartTime");
    const to = query.get("toStartTime");
    const matches = source
      .filter(
        (observation) =>
          equalsIfGiven(query.get("type"), observation.type) &&
          equalsIfGiven(query.get("name"), observation.name) &&
          equalsIfGiven(query.get("parentObservationId"), observation.parentObservationId) &&
          (from === null || Date.parse(String(observation.startTime)) >= Date.parse(from)) &&
          (to === null || Date.parse(String(observation.startTime)) < Date.parse(to)),
      )
      .sort((a, b) => compareDesc(String(a.startTime), String(b.startTime)) || compareDesc(String(a.id), String(b.id)));
    return json(legacy(paginate(matches, paging)));
  }

  function listObservationsV2(url: URL): Response {
    const query = url.searchParams;
    if (query.get("parseIoAsJson") === "true") {
      return invalidRequest([{ path: ["parseIoAsJson"], message: "parseIoAsJson is no longer supported; input/output are raw strings" }]);
    }
    const limit = readInteger(query.get("limit"), 50);
    if (limit === null || limit < 1 || limit > 1000) {
      return invalidRequest([{ path: ["limit"], code: "too_big", message: "Number must be between 1 and 1000" }]);
    }
    const traceId = query.get("traceId");
    if (traceId === null && allV2Rows === null) allV2Rows = dataset.traces.flatMap((trace) => v2RowsOf(String(trace.id)));
    const source = traceId !== null ? v2RowsOf(traceId) : (allV2Rows ?? []);
    const from = query.get("fromStartTime");
    const to = query.get("toStartTime");
    const rootOnly = query.get("isRootObservation");
    const sorted = source
      .filter(
        (row) =>
          equalsIfGiven(query.get("type"), row.type) &&
          equalsIfGiven(query.get("name"), row.name) &&
          equalsIfGiven(query.get("userId"), row.userId) &&
          equalsIfGiven(query.get("sessionId"), row.sessionId) &&
          equalsIfGiven(query.get("level"), row.level) &&
          equalsIfGiven(query.get("environment"), row.environment) &&
          equalsIfGiven(query.get("parentObservationId"), row.parentObservationId) &&
          (rootOnly === null || String(row.isRootObservation) === rootOnly) &&
          (from === null || Date.parse(String(row.startTime)) >= Date.parse(from)) &&
          (to === null || Date.parse(String(row.startTime)) < Date.parse(to)),
      )
      .sort(
        (a, b) =>
          compareDesc(String(a.startTime), String(b.startTime)) ||
          compareDesc(String(a.traceId), String(b.traceId)) ||
          compareDesc(String(a.id), String(b.id)),
      );
    const start = cursorPosition(query.get("cursor"), sorted);
    if (start === null) return invalidRequest([{ path: ["cursor"], message: "Invalid cursor" }]);
    const page = sorted.slice(start, start + limit);
    const last = page.at(-1);
    const hasMore = start + limit < sorted.length && last !== undefined;
    const groups = (query.get("fields") ?? "core,basic").split(",").map((group) => group.trim());
    const keys = new Set(["core", ...groups].flatMap((group) => V2_FIELD_GROUPS[group] ?? []));
    return json({
      data: page.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => keys.has(key)))),
      meta: hasMore ? { cursor: encodeCursor(last) } : {},
    });
  }

  function createScore(body: unknown): Response {
    const issues = scoreIssues(body, scoreConfigs);
    if (issues.length > 0) return invalidRequest(issues);
    const score = body as JsonRecord;
    const id = typeof score.id === "string" && score.id !== "" ? score.id : crypto.randomUUID();
    scores.set(id, { ...score, id });
    return json({ id });
  }

  function listScoreConfigs(url: URL): Response {
    const paging = readPaging(url);
    if (paging instanceof Response) return paging;
    return json(paginate(scoreConfigs, paging));
  }

  function createScoreConfig(body: unknown): Response {
    const config = isRecord(body) ? body : {};
    const issues: Array<{ path: string[]; message: string }> = [];
    if (typeof config.name !== "string" || config.name === "") issues.push({ path: ["name"], message: "Required" });
    if (!["NUMERIC", "BOOLEAN", "CATEGORICAL"].includes(String(config.dataType))) {
      issues.push({ path: ["dataType"], message: "Expected NUMERIC | BOOLEAN | CATEGORICAL" });
    }
    if (config.dataType === "CATEGORICAL" && !Array.isArray(config.categories)) {
      issues.push({ path: ["categories"], message: "Categories are required for CATEGORICAL score configs" });
    }
    if (issues.length > 0) return invalidRequest(issues);
    const now = new Date().toISOString();
    const categories = config.dataType === "BOOLEAN" ? [{ value: 0, label: "False" }, { value: 1, label: "True" }] : config.categories;
    const created: JsonRecord = {
      ...config,
      id: crypto.randomUUID(),
      projectId: fixtureCredentials.projectId,
      isArchived: false,
      createdAt: now,
      updatedAt: now,
      ...(categories ? { categories } : {}),
    };
    scoreConfigs.push(created);
    return json(created);
  }

  function route(request: Request, url: URL, body: unknown): Response {
    const { pathname: path } = url;
    const method = request.method;
    const isV1Read = method === "GET" && (path === TRACES_PATH || path.startsWith(`${TRACES_PATH}/`) || path === OBSERVATIONS_V1_PATH);
    if (isV1Read && v1Removed) return endpointRemoved(method, path);
    if (method === "GET" && path === TRACES_PATH) return listTraces(url);
    if (method === "GET" && path.startsWith(`${TRACES_PATH}/`)) return getTrace(decodeURIComponent(path.slice(TRACES_PATH.length + 1)));
    if (method === "GET" && path === OBSERVATIONS_V1_PATH) return listObservationsV1(url);
    if (method === "GET" && path === OBSERVATIONS_V2_PATH) return listObservationsV2(url);
    if (method === "POST" && path === SCORES_PATH) return createScore(body);
    if (method === "GET" && path === SCORE_CONFIGS_PATH) return listScoreConfigs(url);
    if (method === "POST" && path === SCORE_CONFIGS_PATH) return createScoreConfig(body);
    return json({ message: `No route for ${method} ${path}` }, 404);
  }

  function injectedFailure(path: string): Response | null {
    const index = failures.findIndex((entry) => (typeof entry.path === "string" ? entry.path === path : entry.path.test(path)));
    if (index === -1) return null;
    const entry = failures[index];
    if (!entry) return null;
    entry.remaining -= 1;
    if (entry.remaining <= 0) failures.splice(index, 1);
    if (entry.status === 429) return rateLimited(path, entry.failure.retryAfterSeconds ?? 1);
    return json(entry.failure.body ?? { message: `Injected failure (HTTP ${entry.status})` }, entry.status);
  }

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const url = new URL(request.url);
      const body = await readBody(request);
      requests.push({
        method: request.method,
        path: url.pathname,
        query: queryObject(url),
        headers: headerObject(request.headers),
        body,
      });
      const failure = injectedFailure(url.pathname);
      if (failure) return failure;
      if (request.headers.get("authorization") !== expectedAuthorization) return unauthorized();
      return route(request, url, body);
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    publicKey,
    secretKey,
    requests,
    scores,
    scoreConfigs,
    failNext(path, status, times = 1, failure = {}) {
      failures.push({ path, status, remaining: times, failure });
    },
    setV1Removed(removed) {
      v1Removed = removed;
    },
    async stop() {
      await server.stop(true);
    },
  };
}

type Paging = { page: number; limit: number };

function readPaging(url: URL): Paging | Response {
  const page = readInteger(url.searchParams.get("page"), 1);
  const limit = readInteger(url.searchParams.get("limit"), 50);
  if (limit !== null && limit > 100) {
    return invalidRequest([
      { path: ["limit"], code: "too_big", message: "Number must be less than or equal to 100" },
    ]);
  }
  if (page === null || page < 1) return invalidRequest([{ path: ["page"], code: "too_small", message: "Number must be greater than or equal to 1" }]);
  if (limit === null || limit < 1) return invalidRequest([{ path: ["limit"], code: "too_small", message: "Number must be greater than or equal to 1" }]);
  return { page, limit };
}

function paginate<T>(items: readonly T[], { page, limit }: Paging): { data: T[]; meta: JsonRecord } {
  return {
    data: items.slice((page - 1) * limit, page * limit),
    meta: { page, limit, totalItems: items.length, totalPages: Math.ceil(items.length / limit) },
  };
}

function readInteger(value: string | null, fallback: number): number | null {
  if (value === null || value === "") return fallback;
  return /^-?\d+$/.test(value) ? Number(value) : null;
}

function equalsIfGiven(wanted: string | null, actual: unknown): boolean {
  return wanted === null || String(actual) === wanted;
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function encodeCursor(row: JsonRecord): string {
  return btoa(JSON.stringify({ lastStartTimeTo: row.startTime, lastTraceId: row.traceId, lastId: row.id }));
}

function cursorPosition(cursor: string | null, rows: readonly JsonRecord[]): number | null {
  if (cursor === null || cursor === "") return 0;
  try {
    const decoded = JSON.parse(atob(cursor)) as { lastTraceId?: unknown; lastId?: unknown };
    const index = rows.findIndex((row) => row.id === decoded.lastId && row.traceId === decoded.lastTraceId);
    return index === -1 ? null : index + 1;
  } catch {
    return null;
  }
}

const SCORE_DATA_TYPES = ["NUMERIC", "BOOLEAN", "CATEGORICAL", "TEXT"];

function scoreIssues(body: unknown, configs: readonly JsonRecord[]): Array<{ path: string[]; message: string }> {
  if (!isRecord(body)) return [{ path: [], message: "Expected object" }];
  const issues: Array<{ path: string[]; message: string }> = [];
  if (typeof body.name !== "string" || body.name === "") issues.push({ path: ["name"], message: "Required" });
  if (![body.traceId, body.sessionId, body.datasetRunId].some((target) => typeof target === "string" && target !== "")) {
    issues.push({ path: ["traceId"], message: "One of traceId, sessionId or datasetRunId is required" });
  }
  const dataType = body.dataType ?? (typeof body.value === "number" ? "NUMERIC" : "CATEGORICAL");
  if (!SCORE_DATA_TYPES.includes(String(dataType))) issues.push({ path: ["dataType"], message: `Expected ${SCORE_DATA_TYPES.join(" | ")}` });
  const value = body.value;
  if (dataType === "NUMERIC" && typeof value !== "number") issues.push({ path: ["value"], message: "NUMERIC scores need a number value" });
  if (dataType === "BOOLEAN" && value !== 0 && value !== 1) issues.push({ path: ["value"], message: "BOOLEAN scores need value 0 or 1" });
  if ((dataType === "CATEGORICAL" || dataType === "TEXT") && typeof value !== "string") {
    issues.push({ path: ["value"], message: `${String(dataType)} scores need a string value` });
  }
  if (body.configId !== undefined && !configs.some((config) => config.id === body.configId)) {
    issues.push({ path: ["configId"], message: `Score config ${String(body.configId)} not found` });
  }
  return issues;
}

async function readBody(request: Request): Promise<unknown> {
  if (request.method === "GET" || request.method === "HEAD") return null;
  const text = await request.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? "") : values;
  }
  return query;
}

function headerObject(headers: Headers): Record<string, string> {
  const object: Record<string, string> = {};
  headers.forEach((value, key) => {
    object[key] = value;
  });
  return object;
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stripNotice(body: JsonRecord): JsonRecord {
  const { _deprecation: _notice, ...rest } = body;
  return rest;
}
