import { SetBasis } from '@lawful/contract';
import { parse } from 'csv-parse/sync';

/** The CSV columns `lawful import bases` reads; header names are case-insensitive, order free, unknown ones refused. */
export const importColumns = [
  'subject_id',
  'identity_kind',
  'identity_value',
  'purpose',
  'basis',
  'consent_record_id',
  'contract_reference',
  'legal_reference',
  'lia_reference',
  'notice_version_id',
  'source',
] as const;
type Column = (typeof importColumns)[number];

/** API field paths back to the CSV column the user wrote. */
const columnOf: Record<string, Column> = {
  'subject.subjectId': 'subject_id',
  subject: 'subject_id',
  'subject.identity.kind': 'identity_kind',
  'subject.identity.value': 'identity_value',
  'subject.identity': 'identity_value',
  purpose: 'purpose',
  basis: 'basis',
  'evidence.consentRecordId': 'consent_record_id',
  'evidence.contractReference': 'contract_reference',
  'evidence.legalReference': 'legal_reference',
  'evidence.liaReference': 'lia_reference',
  noticeVersionId: 'notice_version_id',
  source: 'source',
};
export const columnForField = (field: string) => columnOf[field] ?? field;

export type ImportError = { line: number; column: string; message: string };
export type ImportRow = { line: number; input: SetBasis };

const opt = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** One CSV record to the API's SetBasis input (not yet validated). */
export const recordToInput = (r: Partial<Record<Column, string>>, defaultSource: string) => {
  const subjectId = opt(r.subject_id);
  const kind = opt(r.identity_kind);
  const value = opt(r.identity_value);
  const evidence = Object.fromEntries(
    (
      [
        ['consentRecordId', r.consent_record_id],
        ['contractReference', r.contract_reference],
        ['legalReference', r.legal_reference],
        ['liaReference', r.lia_reference],
      ] as const
    ).flatMap(([k, v]) => (opt(v) ? [[k, opt(v)]] : [])),
  );
  return {
    subject: subjectId ? { subjectId } : { identity: { kind, value } },
    purpose: opt(r.purpose),
    basis: opt(r.basis),
    evidence,
    ...(opt(r.notice_version_id) ? { noticeVersionId: opt(r.notice_version_id) } : {}),
    source: opt(r.source) ?? defaultSource,
  };
};

/**
 * Parses and validates a whole CSV file. Every bad record is reported with its line and column; the caller imports
 * nothing unless `errors` is empty.
 */
export const parseBasesCsv = (
  text: string,
  defaultSource = 'csv-import',
): { rows: ImportRow[]; errors: ImportError[] } => {
  const errors: ImportError[] = [];
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      trim: false,
      info: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0;
    return { rows: [], errors: [{ line, column: '(file)', message: (e as Error).message }] };
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const unknown = header.filter((c) => !(importColumns as readonly string[]).includes(c));
  if (unknown.length > 0) {
    return {
      rows: [],
      errors: [
        { line: 1, column: unknown.join(','), message: `unknown column(s); expected ${importColumns.join(', ')}` },
      ],
    };
  }
  const rows: ImportRow[] = [];
  for (const { record, info } of records) {
    const parsed = SetBasis.safeParse(recordToInput(record, defaultSource));
    if (parsed.success) rows.push({ line: info.lines, input: parsed.data });
    else {
      for (const i of parsed.error.issues) {
        errors.push({ line: info.lines, column: columnForField(i.path.map(String).join('.')), message: i.message });
      }
    }
  }
  return { rows, errors };
};
