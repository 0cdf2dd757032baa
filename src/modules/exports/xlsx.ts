// A streaming XLSX writer: the minimal SpreadsheetML parts, one sheet of inline strings and numbers, zipped as rows arrive.
import { zipStream } from "./zip";

export type CellValue = string | number | null;

/** Excel refuses cells above this many characters. */
const MAX_CELL_CHARS = 32_767;
/** Rows are gathered into pieces of about this size before deflating: small enough to stay flat, big enough to compress. */
const PIECE_CHARS = 256 * 1024;

const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`;

const workbook = (sheetName: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="${escapeXml(sheetName.slice(0, 31))}" sheetId="1" r:id="rId1"/></sheets></workbook>`;

/** Escapes markup and drops the control characters XML 1.0 cannot carry at all. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

function cell(value: CellValue): string {
  if (value === null || value === "") return "<c/>";
  if (typeof value === "number" && Number.isFinite(value)) return `<c><v>${value}</v></c>`;
  const text = String(value);
  return `<c t="inlineStr"><is><t xml:space="preserve">${escapeXml(text.length > MAX_CELL_CHARS ? text.slice(0, MAX_CELL_CHARS) : text)}</t></is></c>`;
}

async function* sheetXml(header: string[], rows: AsyncIterable<CellValue[]>): AsyncGenerator<string> {
  let piece = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>${header.map(cell).join("")}</row>`;
  for await (const row of rows) {
    piece += `<row>${row.map(cell).join("")}</row>`;
    if (piece.length >= PIECE_CHARS) {
      yield piece;
      piece = "";
    }
  }
  yield piece + "</sheetData></worksheet>";
}

/** The workbook as ZIP chunks; `rows` is read once, as the consumer pulls. */
export function xlsxStream(sheetName: string, header: string[], rows: AsyncIterable<CellValue[]>): AsyncGenerator<Uint8Array> {
  return zipStream([
    { name: "[Content_Types].xml", data: [CONTENT_TYPES] },
    { name: "_rels/.rels", data: [ROOT_RELS] },
    { name: "xl/workbook.xml", data: [workbook(sheetName)] },
    { name: "xl/_rels/workbook.xml.rels", data: [WORKBOOK_RELS] },
    { name: "xl/worksheets/sheet1.xml", data: sheetXml(header, rows) },
  ]);
}
