import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExportField } from './export.contract.ts';
import { csvHeader, csvRows } from './export.csv.ts';
import { metaFixture, section } from './export.fixtures.ts';
import { csvNamer, sheetNamer } from './export.names.ts';
import { expectedCell, openPackage, parseCsv } from './export.test-helpers.ts';

// Well-formed text only: a lone surrogate cannot be written as UTF-8 at all, by any CSV writer.
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(',', '"', '\r', '\n', ' ', 'a', '\t', '\uFEFF', 'é', '=', '-'), maxLength: 12 }),
  fc.constantFrom('', ' ', '""', '\r\n', 'null', 'NULL'),
);
const cell = fc.oneof(text, fc.constant(null));

describe('CSV', () => {
  it('round-trips any text exactly, telling null from ""', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((width) =>
          fc.tuple(
            fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }), {
              minLength: width,
              maxLength: width,
            }),
            fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 20 }),
          ),
        ),
        ([header, rows]) => {
          const bytes = Buffer.from(csvHeader(header) + csvRows(rows), 'utf8');
          const parsed = parseCsv(bytes);
          expect(parsed.bom).toBe(true);
          expect(parsed.rows).toEqual([header, ...rows]);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips random rows through the whole package', async () => {
    const value = fc.oneof(
      cell,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.date({ noInvalidDate: true }),
      fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(text, fc.integer()), { maxKeys: 3 }),
    );
    const fields: ExportField[] = ['a', 'b', 'c'].map((name) => ({ name, category: 'contact', portable: 'provided' }));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ a: value, b: value, c: value }), { maxLength: 15 }), async (rows) => {
        const pkg = await openPackage({ ...metaFixture(), sections: [section('crm', 'contacts', fields, rows)] });
        const expected = rows.map((r) => ['a', 'b', 'c'].map((k) => expectedCell((r as Record<string, unknown>)[k])));
        // -0 is written as "0" (String(-0)), as JSON writes it too.
        const norm = (cells: (string | null)[][]) => cells.map((r) => r.map((c) => (c === '-0' ? '0' : c)));
        expect(norm(pkg.csv('csv/crm.contacts.csv').rows.slice(1))).toEqual(norm(expected));
      }),
      { numRuns: 25 },
    );
  });
});

describe('names', () => {
  it('sheet names: ≤ 31 UTF-16 units, no forbidden characters, unique ignoring case', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 50 }), { maxLength: 30 }), (raws) => {
        const next = sheetNamer();
        const names = raws.map(next);
        for (const n of names) {
          expect(n.length).toBeGreaterThan(0);
          expect(n.length).toBeLessThanOrEqual(31);
          expect(n).not.toMatch(/[\\/?*[\]:]|^'|'$/);
          expect(n.toLowerCase()).not.toBe('history');
          // No surrogate pair cut in half by the length limit.
          expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(n)).toBe(false);
        }
        expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
      }),
    );
  });

  it('CSV file names: safe characters, unique ignoring case', () => {
    const next = csvNamer();
    const names = ['Contacts', 'contacts', '../../etc/passwd', 'Kunden Österreich', ''].map((c) => next('crm', c));
    expect(names).toEqual([
      'csv/crm.Contacts.csv',
      'csv/crm.contacts~2.csv',
      'csv/crm.etc_passwd.csv',
      'csv/crm.Kunden_Österreich.csv',
      'csv/crm.data.csv',
    ]);
  });
});
