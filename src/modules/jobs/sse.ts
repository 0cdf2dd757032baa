// Server-Sent Events framing: turns an async sequence of (id, html) messages into a text/event-stream response.
export interface SseMessage {
  id?: string | number;
  event?: string;
  data: string;
}

function frame(message: SseMessage): string {
  let out = "";
  if (message.id !== undefined) out += `id: ${message.id}\n`;
  if (message.event) out += `event: ${message.event}\n`;
  for (const line of message.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return out + "\n";
}

/** Streams messages; a comment line every 15 s keeps proxies from closing an idle stream. */
export function sseResponse(messages: AsyncIterable<SseMessage>, signal: AbortSignal): Response {
  const encoder = new TextEncoder();
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      keepAlive = setInterval(() => controller.enqueue(encoder.encode(": keep-alive\n\n")), 15_000);
      try {
        for await (const message of messages) {
          if (signal.aborted) break;
          controller.enqueue(encoder.encode(frame(message)));
        }
      } catch {
        // The client went away mid-write; nothing to report to it.
      } finally {
        clearInterval(keepAlive);
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      }
    },
    cancel() {
      clearInterval(keepAlive);
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
  });
}
