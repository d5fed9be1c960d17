import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { type BuildExportOptions, buildExportPackage } from './export.builder.ts';
import type { ExportPackageInput } from './export.contract.ts';

/** Builds a package into memory and opens every part with an independent reader, as a person's tools would. */

export const buildToBuffer = async (input: ExportPackageInput, opts?: BuildExportOptions) => {
  const chunks: Buffer[] = [];
  const out = new Writable({
    highWaterMark: 16 * 1024,
    write(c: Buffer, _e, cb) {
      chunks.push(c);
      // Asynchronous acknowledgement: the builder must cope with a destination that pushes back.
      setImmediate(cb);
    },
  });
  const summary = await buildExportPackage(input, out, opts);
  return { zip: Buffer.concat(chunks), summary };
};

/** RFC 4180 reader that keeps "no value" (empty, unquoted) apart from an empty string (`""`). */
export const parseCsv = (bytes: Uint8Array): { bom: boolean; rows: (string | null)[][] } => {
  const text = Buffer.from(bytes).toString('utf8');
  const bom = text.startsWith('\uFEFF');
  const rows = parse(bom ? text.slice(1) : text, {
    relax_column_count: false,
    cast: (value, ctx) => (value === '' && !ctx.quoting ? null : value),
  }) as (string | null)[][];
  return { bom, rows };
};

export type SheetData = { name: string; rows: unknown[][] };

export const readXlsx = async (bytes: Uint8Array): Promise<SheetData[]> => {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  return wb.worksheets.map((ws) => {
    const rows: unknown[][] = [];
    const width = ws.getRow(1).cellCount;
    ws.eachRow({ includeEmpty: true }, (row) => {
      const cells: unknown[] = [];
      for (let i = 1; i <= width; i++) {
        const v = row.getCell(i).value;
        cells.push(v === undefined ? null : v);
      }
      rows.push(cells);
    });
    return { name: ws.name, rows };
  });
};

export const openPackage = async (input: ExportPackageInput, opts?: BuildExportOptions) => {
  const { zip, summary } = await buildToBuffer(input, opts);
  const files = unzipSync(new Uint8Array(zip));
  const text = (name: string) => {
    const f = files[name];
    if (!f) throw new Error(`${name} missing from package`);
    return Buffer.from(f).toString('utf8');
  };
  return {
    zip,
    summary,
    names: Object.keys(files),
    files,
    text,
    json: <T = unknown>(name: string): T => JSON.parse(text(name)) as T,
    csv: (name: string) => parseCsv(files[name] ?? new Uint8Array()),
    xlsx: () => readXlsx(files['data.xlsx'] ?? new Uint8Array()),
  };
};

/** The expected text of a CSV cell, written independently of the builder's own conversion. */
export const expectedCell = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
};

/** The expected data.json row: declared fields in order, missing ones null. */
export const expectedRow = (row: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(fields.map((f) => [f, row[f] === undefined ? null : JSON.parse(JSON.stringify(row[f]))]));
