import { stringify } from 'csv-stringify/sync';

/**
 * CSV per RFC 4180: comma, double-quote escaping, CRLF between records, a header row. A UTF-8 byte order mark goes
 * first because Excel otherwise reads UTF-8 as the local code page and mangles every accent. An empty string is
 * written quoted (`""`) and a missing value as nothing at all, so a reader can tell them apart (csv-parse: the
 * `quoting` flag in `cast`'s context). Rows are rendered in batches: one call per batch, not per row, is what makes
 * csv-stringify fast here.
 */
const OPTIONS = { record_delimiter: 'windows', quote_record_delimiter: true, quoted_match: /^$/, eof: true } as const;

export const csvHeader = (names: string[]): string => stringify([names], { ...OPTIONS, bom: true });

export const csvRows = (rows: (string | null)[][]): string => (rows.length ? stringify(rows, OPTIONS) : '');
