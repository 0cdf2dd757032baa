// Job "file.import": imports an uploaded JSONL/JSON file of traces; resumable from its byte offset.
import { FILE_IMPORT_JOB, runFileImport, type FileImportPayload } from "../../modules/ingest/file-import";
import { defineJob } from "../definition";

export const fileImportJob = defineJob<FileImportPayload>({
  type: FILE_IMPORT_JOB,
  maxAttempts: 3,
  run: (ctx) => runFileImport(ctx),
});
