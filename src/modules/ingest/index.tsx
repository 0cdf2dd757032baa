// Routes for trace ingestion: file upload (page and API, streamed to disk, imported as a job) and the OTLP/HTTP endpoint (JSON and protobuf).
import { Elysia } from "elysia";
import { join } from "node:path";
import { requireAuth } from "../../http/auth";
import type { AppDeps } from "../../http/context";
import { AppError, ValidationError } from "../../http/errors";
import { redirect } from "../../http/htmx";
import { enqueueJob } from "../../jobs/queue";
import { FILE_IMPORT_JOB, type FileImportPayload } from "./file-import";
import { NormalizeError } from "./normalize/normalize-error";
import { ingestOtlpRequest } from "./otel-ingest";
import { decodeExportTraceServiceRequest, encodeExportTraceServiceResponse, ProtobufDecodeError } from "./otlp-protobuf";
import { spoolUpload } from "./upload";

/** OTLP exporters send batches of a few MB at most; anything larger is a mistake, refused before parsing. */
const MAX_OTLP_BYTES = 32 * 1024 * 1024;

export function ingestRoutes(deps: AppDeps) {
  const uploadsDir = join(deps.config.dataDir, "uploads");

  async function startFileImport(request: Request, workspaceId: string, userId: string, filenameHint?: string) {
    const upload = await spoolUpload(request, uploadsDir, filenameHint);
    const payload: FileImportPayload = { path: upload.path, filename: upload.filename, bytes: upload.bytes };
    const job = await enqueueJob(deps.database, { workspaceId, type: FILE_IMPORT_JOB, payload: { ...payload }, createdBy: userId, maxAttempts: 3 });
    deps.logger.info("file import queued", { jobId: job.id, filename: upload.filename, bytes: upload.bytes });
    return job;
  }

  return new Elysia()
    .use(requireAuth(deps))
    // parse: "none" leaves the body unread, so the upload streams to disk instead of into memory.
    .post("/import/file", async ({ auth, request }) => redirect(request, `/jobs/${(await startFileImport(request, auth.workspace.id, auth.user.id)).id}`), { parse: "none" })
    .post(
      "/api/v1/imports/file",
      async ({ auth, request, query, set }) => {
        const job = await startFileImport(request, auth.workspace.id, auth.user.id, typeof query.filename === "string" && query.filename ? query.filename : undefined);
        set.status = 202;
        return { job_id: job.id, status: job.status, job_url: `/api/v1/jobs/${job.id}` };
      },
      { parse: "none" },
    )
    .post(
      "/api/v1/otel/v1/traces",
      async ({ auth, request }) => {
        const otlp = await readOtlpRequest(request);
        let partialSuccess: { rejectedSpans: number; errorMessage: string } | undefined;
        try {
          const result = await ingestOtlpRequest(deps.database, auth.workspace.id, otlp.body);
          // OTLP's partial-success shape: the spans are stored (none rejected), but these traces could not be normalized.
          if (result.notNormalized.length > 0) partialSuccess = { rejectedSpans: 0, errorMessage: result.notNormalized.map((n) => `trace ${n.traceId}: ${n.error}`).join("; ").slice(0, 2000) };
        } catch (error) {
          if (error instanceof NormalizeError) throw new ValidationError(error.message, error.issues);
          throw error;
        }
        // The response speaks the request's encoding, as OTLP/HTTP requires.
        if (otlp.protobuf) return new Response(encodeExportTraceServiceResponse(partialSuccess), { headers: { "content-type": PROTOBUF } });
        return partialSuccess ? { partialSuccess } : {};
      },
      { parse: "none" },
    );
}

const PROTOBUF = "application/x-protobuf";

/** Reads an OTLP/HTTP body, JSON or protobuf (gzip or not), into the OTLP/JSON object shape. */
async function readOtlpRequest(request: Request): Promise<{ body: unknown; protobuf: boolean }> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json" && type !== PROTOBUF) {
    throw new AppError(
      415,
      "unsupported_media_type",
      `OTLP/HTTP takes Content-Type ${PROTOBUF} (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf) or application/json (http/json); got ${type || "none"}.`,
    );
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_OTLP_BYTES) throw new AppError(413, "payload_too_large", `OTLP requests are limited to ${MAX_OTLP_BYTES / 1024 / 1024} MB.`);
  let bytes = new Uint8Array(await request.arrayBuffer());
  const encoding = (request.headers.get("content-encoding") ?? "").toLowerCase();
  if (encoding === "gzip") {
    try {
      bytes = Bun.gunzipSync(bytes);
    } catch (error) {
      throw new AppError(400, "invalid_gzip", `The body is not valid gzip: ${(error as Error).message}`);
    }
  } else if (encoding && encoding !== "identity") throw new AppError(415, "unsupported_encoding", `Content-Encoding ${encoding} is not supported (use gzip or none).`);
  if (bytes.length > MAX_OTLP_BYTES) throw new AppError(413, "payload_too_large", `OTLP requests are limited to ${MAX_OTLP_BYTES / 1024 / 1024} MB.`);
  if (type === PROTOBUF) {
    try {
      return { body: decodeExportTraceServiceRequest(bytes), protobuf: true };
    } catch (error) {
      if (error instanceof ProtobufDecodeError) throw new AppError(400, "invalid_protobuf", error.message);
      throw error;
    }
  }
  try {
    return { body: JSON.parse(new TextDecoder().decode(bytes)), protobuf: false };
  } catch (error) {
    throw new ValidationError(`The body is not valid JSON: ${(error as Error).message}`);
  }
}
