// Worker thread entry for file imports: encodes each batch it is sent (file-batch.ts) and posts the result back.
import { encodeFileBatch, type FileBatchRequest } from "./file-batch";

declare const self: Worker;

self.onmessage = (event: MessageEvent<{ id: number; request: FileBatchRequest }>) => {
  const { id, request } = event.data;
  try {
    const result = encodeFileBatch(request);
    // COPY bytes move to the main thread without a copy.
    const transfer = result.encoded.format === "copy" ? [result.encoded.data.buffer as ArrayBuffer] : [];
    self.postMessage({ id, result }, transfer);
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
};
