import type { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { XlsxCell } from './export.values.ts';

/** Excel's hard limit, header row included. */
export const XLSX_MAX_ROWS = 1_048_576;

/**
 * Writes data.xlsx one sheet at a time with exceljs's streaming writer: a committed row leaves memory, and a sheet is
 * finished before the next starts (collections arrive one after another). No shared strings and no styles, so nothing
 * grows with the number of rows.
 */
export type XlsxWriter = {
  startSheet(name: string, header: string[]): void;
  addRows(rows: XlsxCell[][]): Promise<void>;
  endSheet(): void;
  /** Writes the workbook's closing parts and resolves when `out` has finished. */
  finish(): Promise<void>;
};

export const createXlsxWriter = (out: Writable, opts: { created: Date }): XlsxWriter => {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  wb.creator = 'Lawful';
  wb.created = opts.created;
  wb.modified = opts.created;
  let sheet: ExcelJS.Worksheet | null = null;

  return {
    startSheet(name, header) {
      if (sheet) throw new Error('xlsx: previous sheet still open');
      sheet = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
      sheet.addRow(header).commit();
    },
    async addRows(rows) {
      if (!sheet) throw new Error('xlsx: no open sheet');
      for (const r of rows) sheet.addRow(r).commit();
      // exceljs pushes sheet XML to its zip compressor without back-pressure; a turn of the event loop per batch
      // lets the compressor (on the libuv pool) drain it, so the backlog stays at about one batch.
      await nextTurn();
    },
    endSheet() {
      if (!sheet) throw new Error('xlsx: no open sheet');
      sheet.commit();
      sheet = null;
    },
    async finish() {
      if (sheet) throw new Error('xlsx: finish() with a sheet open');
      await wb.commit();
    },
  };
};
