import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importColumns, parseBasesCsv } from './basis-import.ts';

const SUB = 'sub_01JDQ2M3ZV9G7X6S5R4Q3P2N1M';
const text = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() === s && s.length > 0);

const row = fc.record({
  byId: fc.boolean(),
  value: fc.emailAddress(),
  purpose: fc.stringMatching(/^[a-z][a-z0-9-]{1,20}$/),
  basis: fc.constantFrom(
    'consent',
    'contract',
    'legal_obligation',
    'vital_interests',
    'public_task',
    'legitimate_interests',
  ),
  contract: fc.option(text, { nil: undefined }),
  source: fc.option(text, { nil: undefined }),
});
type Row = typeof row extends fc.Arbitrary<infer T> ? T : never;

const toRecord = (r: Row) => ({
  subject_id: r.byId ? SUB : '',
  identity_kind: r.byId ? '' : 'email',
  identity_value: r.byId ? '' : r.value,
  purpose: r.purpose,
  basis: r.basis,
  contract_reference: r.contract ?? '',
  source: r.source ?? '',
});

describe('lawful import bases: CSV parsing (checks 1, 59, property-based)', () => {
  it('whatever is written by a CSV writer (quotes, commas, unicode) is read back as the same rows', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 40 }), (rows) => {
        const csv = stringify(rows.map(toRecord), {
          header: true,
          columns: Object.keys(toRecord(rows[0] ?? ({} as Row))),
        });
        if (rows.length === 0) return;
        const { rows: parsed, errors } = parseBasesCsv(csv, 'file.csv');
        expect(errors).toEqual([]);
        expect(parsed.map((p) => p.input)).toEqual(
          rows.map((r) => ({
            subject: r.byId ? { subjectId: SUB } : { identity: { kind: 'email', value: r.value } },
            purpose: r.purpose,
            basis: r.basis,
            evidence: r.contract ? { contractReference: r.contract } : {},
            source: r.source ?? 'file.csv',
          })),
        );
        // Without embedded newlines, record n is on line n + 1 (the header is line 1).
        if (!csv.includes('"\n') && rows.every((r) => !/[\r\n]/.test(`${r.contract}${r.source}`))) {
          expect(parsed.map((p) => p.line)).toEqual(rows.map((_, i) => i + 2));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('every bad record is reported with its line and the CSV column, and no row is returned for it', () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.constantFrom(
          { col: 'basis', value: 'vibes' },
          { col: 'purpose', value: 'Not A Key' },
          { col: 'identity_kind', value: 'fax' },
          { col: 'subject_id', value: 'sub_nope' },
        ),
        (rows, pos, bad) => {
          const records = rows.map(toRecord);
          const at = pos % records.length;
          const target = records[at]!;
          if (bad.col === 'subject_id')
            Object.assign(target, { subject_id: bad.value, identity_kind: '', identity_value: '' });
          else if (bad.col === 'identity_kind')
            Object.assign(target, { subject_id: '', identity_kind: bad.value, identity_value: 'x@y.z' });
          else Object.assign(target, { [bad.col]: bad.value });
          const clean = records.map((r) =>
            Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.replace(/[\r\n]/g, ' ')])),
          );
          const { rows: parsed, errors } = parseBasesCsv(
            stringify(clean, { header: true, columns: Object.keys(clean[0]!) }),
          );
          expect(errors.length).toBeGreaterThan(0);
          expect(errors.every((e) => e.line === at + 2)).toBe(true);
          expect(errors.map((e) => e.column)).toContain(bad.col);
          expect(parsed).toHaveLength(records.length - 1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('an unknown column is refused before any row is read', () => {
    const r = parseBasesCsv('purpose,basis,colour\nbilling,contract,blue\n');
    expect(r.errors).toEqual([{ line: 1, column: 'colour', message: expect.stringContaining(importColumns[0]) }]);
  });
});
