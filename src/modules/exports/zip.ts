// A streaming ZIP writer: deflated entries written as their data arrives (sizes in data descriptors), so nothing is held whole.
import zlib from "node:zlib";

export interface ZipEntry {
  name: string;
  data: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
}

interface Written {
  name: Buffer;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

const encoder = new TextEncoder();
/** General purpose flags: sizes follow the data (bit 3), names are UTF-8 (bit 11). */
const FLAGS = 0x0808;
const DEFLATE = 8;
/** A final, empty fixed-Huffman block: closes a deflate stream made of sync-flushed segments. */
const FINAL_BLOCK = Uint8Array.of(0x03, 0x00);

function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

function localHeader(name: Buffer, stamp: { time: number; date: number }): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(0x04034b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(DEFLATE, 8);
  b.writeUInt16LE(stamp.time, 10);
  b.writeUInt16LE(stamp.date, 12);
  // crc and sizes (14..25) stay 0: they come in the data descriptor.
  b.writeUInt16LE(name.length, 26);
  return Buffer.concat([b, name]);
}

function dataDescriptor(entry: Written): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(0x08074b50, 0);
  b.writeUInt32LE(entry.crc >>> 0, 4);
  b.writeUInt32LE(entry.compressedSize >>> 0, 8);
  b.writeUInt32LE(entry.size >>> 0, 12);
  return b;
}

function centralRecord(entry: Written, stamp: { time: number; date: number }): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(0x02014b50, 0);
  b.writeUInt16LE(20, 4);
  b.writeUInt16LE(20, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(DEFLATE, 10);
  b.writeUInt16LE(stamp.time, 12);
  b.writeUInt16LE(stamp.date, 14);
  b.writeUInt32LE(entry.crc >>> 0, 16);
  b.writeUInt32LE(entry.compressedSize >>> 0, 20);
  b.writeUInt32LE(entry.size >>> 0, 24);
  b.writeUInt16LE(entry.name.length, 28);
  b.writeUInt32LE(entry.offset >>> 0, 42);
  return Buffer.concat([b, entry.name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(0x06054b50, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size >>> 0, 12);
  b.writeUInt32LE(offset >>> 0, 16);
  return b;
}

/**
 * Yields the ZIP file chunk by chunk. Each piece of an entry's data is deflated on its own with a sync flush
 * (so the pieces join into one valid deflate stream) and CRC-32 is carried across pieces: memory stays at one
 * piece, however large the entry. Sizes above 4 GiB would need ZIP64, which exports never reach.
 */
export async function* zipStream(entries: Iterable<ZipEntry>, now = new Date()): AsyncGenerator<Uint8Array> {
  const stamp = dosDateTime(now);
  const written: Written[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const header = localHeader(name, stamp);
    const record: Written = { name, crc: 0, compressedSize: 0, size: 0, offset };
    yield header;
    offset += header.length;
    for await (const piece of entry.data) {
      const bytes = typeof piece === "string" ? encoder.encode(piece) : piece;
      if (bytes.length === 0) continue;
      record.crc = zlib.crc32(bytes, record.crc);
      record.size += bytes.length;
      const deflated = zlib.deflateRawSync(bytes, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      record.compressedSize += deflated.length;
      offset += deflated.length;
      yield deflated;
    }
    record.compressedSize += FINAL_BLOCK.length;
    offset += FINAL_BLOCK.length;
    yield FINAL_BLOCK;
    const descriptor = dataDescriptor(record);
    offset += descriptor.length;
    yield descriptor;
    written.push(record);
  }
  const central = Buffer.concat(written.map((w) => centralRecord(w, stamp)));
  yield central;
  yield endOfCentralDirectory(written.length, central.length, offset);
}
