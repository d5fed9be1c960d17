import Papa from 'papaparse';

/**
 * CSV per RFC 4180: comma, double-quote escaping, CRLF after every record, a header row. A UTF-8 byte order mark goes
 * first because Excel otherwise reads UTF-8 as the local code page and mangles every accent. An empty string is
 * written quoted (`""`) and a missing value as nothing at all, so a reader can tell them apart (csv-parse: the
 * `quoting` flag in `cast`'s context). Rows are rendered in batches with papaparse's `unparse`, which took a third of
 * csv-stringify's time on the export benchmark (docs/export.md); papaparse also quotes a field that starts or ends
 * with a space, which RFC 4180 allows and every reader undoes.
 */
const OPTIONS: Papa.UnparseConfig = {
  newline: '\r\n',
  // Only the empty string is forced into quotes: that is what tells it apart from null (written as nothing).
  quotes: (value: unknown) => value === '',
  escapeFormulae: false,
  skipEmptyLines: false,
};

export const csvRows = (rows: (string | null)[][]): string =>
  rows.length ? `${Papa.unparse(rows as unknown[][], OPTIONS)}\r\n` : '';

export const csvHeader = (names: string[]): string => `\uFEFF${csvRows([names])}`;
