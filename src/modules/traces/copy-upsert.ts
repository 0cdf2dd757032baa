// Bulk trace upsert over Postgres COPY: a batch streams into a temporary staging table, then one INSERT … ON CONFLICT moves it.
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import { TRACE_ROW_COLUMNS, TRACE_ROW_TYPES, traceUpsertStatement, type TraceRow } from "./queries";

/**
 * Why COPY: a recordset parameter makes the server parse the whole batch as one JSON document before it parses each
 * trace's documents again; COPY hands each column straight to its type's input. Measured on the import bench, the
 * server's work per trace roughly halves, and the server is what bounds an import from a file.
 */
export async function copyUpsertTraces(client: postgres.Sql, data: Uint8Array): Promise<void> {
  if (data.length === 0) return;
  await client.begin(async (tx) => {
    // Not waiting for this commit's WAL flush lets the next batch start sooner. Nothing is lost that a crash just
    // before the commit would not lose too: WAL is flushed in order, so the importer's next synchronous commit (its
    // job checkpoint, which is what a resumed import trusts) makes this batch durable first.
    await tx.unsafe("set local synchronous_commit = off");
    await tx.unsafe(CREATE_STAGE);
    const stream = await tx.unsafe(`copy trace_stage (${TRACE_ROW_COLUMNS.join(", ")}) from stdin (format binary)`).writable();
    await new Promise<void>((resolve, reject) => {
      stream.on("error", reject);
      stream.on("finish", resolve);
      stream.end(data);
    });
    await tx.unsafe(MOVE_STAGED.sql, MOVE_STAGED.params as never[]);
  });
}

// Temporary and emptied at commit: nothing to clean up, and no WAL for the staging copy. Its documents are stored
// uncompressed (EXTERNAL): compressing them there only to decompress them for the move cost more than the COPY saved.
const CREATE_STAGE = `do $$ begin
  if to_regclass('pg_temp.trace_stage') is null then
    create temp table trace_stage (${TRACE_ROW_TYPES}) on commit delete rows;
    alter table trace_stage alter column normalized set storage external, alter column raw set storage external;
  end if;
end $$`;

const MOVE_STAGED = new PgDialect().sqlToQuery(traceUpsertStatement(sql`trace_stage`));

/** Rows in COPY's binary format: built wherever it is cheapest (an import's worker thread) and sent as they are. */
export function encodeCopyRows(rows: TraceRow[]): Uint8Array {
  // No bytes for no rows: copyUpsertTraces then skips the transaction (an import's last batch is often empty).
  if (rows.length === 0) return new Uint8Array(0);
  const out = new CopyWriter();
  out.bytes(COPY_SIGNATURE);
  out.int32(0); // flags
  out.int32(0); // header extension length
  for (const row of rows) {
    out.int16(TRACE_ROW_COLUMNS.length);
    out.text(row.id);
    out.text(row.workspaceId);
    out.text(row.source);
    out.text(row.externalId);
    out.text(row.integrationId);
    out.text(row.name);
    out.timestamp(row.timestamp);
    out.text(row.normalizedJson);
    out.text(row.rawJson);
    out.int32Field(row.schemaVersion);
    out.text(row.normalizeError);
    out.boolean(row.hasErrors);
    out.textArray(row.tags);
    out.text(row.userId);
    out.text(row.sessionId);
    out.text(row.environment);
    out.textArray(row.toolNames);
    out.textArray(row.models);
    out.float64(row.latencyMs);
    out.float64(row.costUsd);
    out.int32Field(row.stepCount);
    out.text(row.inputPreview);
    out.text(row.outputPreview);
    out.boolean(row.isDemo);
    out.text(row.searchText);
  }
  out.int16(-1);
  return out.finish();
}

const COPY_SIGNATURE = new Uint8Array([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
const TEXT_OID = 25;
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const encoder = new TextEncoder();

/**
 * Writes COPY binary fields (length-prefixed; json and text are their UTF-8 bytes) into one growing buffer. Binary,
 * not text, because the text format must escape every backslash of every JSON document on this side and unescape
 * it again on the server.
 */
class CopyWriter {
  private buffer = new Uint8Array(1 << 20);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  int16(value: number): void {
    this.reserve(2);
    this.view.setInt16(this.length, value);
    this.length += 2;
  }

  int32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.length, value);
    this.length += 4;
  }

  text(value: string | null): void {
    if (value === null) return this.int32(-1);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the length is written once the bytes are.
    this.reserve(4 + value.length * 3);
    const start = this.length;
    const { written } = encoder.encodeInto(value, this.buffer.subarray(start + 4));
    this.view.setInt32(start, written);
    this.length = start + 4 + written;
  }

  int32Field(value: number): void {
    this.int32(4);
    this.int32(value);
  }

  boolean(value: boolean): void {
    this.int32(1);
    this.reserve(1);
    this.buffer[this.length++] = value ? 1 : 0;
  }

  float64(value: number | null): void {
    if (value === null) return this.int32(-1);
    this.int32(8);
    this.reserve(8);
    this.view.setFloat64(this.length, value);
    this.length += 8;
  }

  /** Microseconds since 2000-01-01 UTC. */
  timestamp(value: Date): void {
    this.int32(8);
    this.reserve(8);
    this.view.setBigInt64(this.length, BigInt(value.getTime() - POSTGRES_EPOCH_MS) * 1000n);
    this.length += 8;
  }

  /** A one-dimensional text[] (an empty one has no dimensions). */
  textArray(values: string[]): void {
    const lengthAt = this.length;
    this.int32(0); // the field's length, filled in below
    this.int32(values.length === 0 ? 0 : 1); // dimensions
    this.int32(0); // no nulls
    this.int32(TEXT_OID);
    if (values.length > 0) {
      this.int32(values.length);
      this.int32(1); // lower bound
      for (const value of values) this.text(value);
    }
    this.view.setInt32(lengthAt, this.length - lengthAt - 4);
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
