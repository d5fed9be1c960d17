import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { buildExportPackage } from './export.builder.ts';
import type { ExportField, ExportPackageInput, ExportSection } from './export.contract.ts';
import { metaFixture, NOTICE_TEXT, rowsOf, section } from './export.fixtures.ts';
import { expectedCell, expectedRow, openPackage } from './export.test-helpers.ts';

const f = (name: string, category: string, portable: ExportField['portable'] = 'provided'): ExportField => ({
  name,
  category,
  portable,
});

const LONG = 'orders_placed_through_the_partner_portal'; // 40 characters
const contactFields = [
  f('id', 'identity'),
  f('name', 'identity'),
  f('email', 'contact'),
  f('note', 'contact'),
  f('created_at', 'usage', 'observed'),
  f('score', 'usage', 'derived'),
  f('prefs', 'contact'),
  f('verified', 'identity', 'observed'),
];
const contactRows: Record<string, unknown>[] = [
  {
    id: 1,
    name: 'Zoë Ångström-Łukasiewicz 山田 👩🏽‍💻 مرحبا',
    email: 'zoe@example.com',
    note: 'said "hi", then left,\r\nline two\nline three',
    created_at: new Date('2024-02-29T23:59:59.123Z'),
    score: 0.75,
    prefs: { lang: 'de', tags: ['a', 'b,c'], nested: { deep: [1, null, { x: '"' }] } },
    verified: true,
    legacy_flag: 'Y',
  },
  {
    id: 2,
    name: '',
    email: null,
    note: '=HYPERLINK("http://evil")',
    created_at: null,
    score: null,
    prefs: null,
    verified: false,
  },
  {
    id: 3,
    name: '  padded  ',
    note: '<script>alert("x")</script> & ;',
    created_at: new Date(0),
    score: -1e21,
    prefs: [],
  },
];
const orderFields = [f('order_id', 'orders'), f('total', 'orders'), f('placed_at', 'orders', 'observed')];
const orderRows = [
  { order_id: 'A-1', total: 19.99, placed_at: '2026-01-01T10:00:00Z' },
  { order_id: 'A-2', total: 1000000, placed_at: '2026-01-02T10:00:00Z' },
];

const sections = (): ExportSection[] => [
  section('crm', 'contacts', contactFields, contactRows),
  section('shop', LONG, orderFields, orderRows),
  section('shop', `${LONG}_archive`, orderFields, []),
  section(
    'analytics',
    'events',
    [f('event', 'usage', 'observed'), f('at', 'usage', 'observed')],
    [{ event: 'login', at: new Date('2026-11-01T00:00:00Z') }],
  ),
];

const input = (over: Partial<ExportPackageInput> = {}): ExportPackageInput => ({
  ...metaFixture(),
  sections: sections(),
  ...over,
});

type DataJson = {
  format: string;
  kind: string;
  collections: {
    system: string;
    collection: string;
    csv: string;
    sheets: string[];
    fields: { name: string; category: string; categoryName: string }[];
    rows: Record<string, unknown>[];
    rowCount: number;
    undeclaredFields: string[];
  }[];
  lawfulRecords?: { consents: { notice: { text: string; textMatchesHash: boolean } }[] };
};

describe('buildExportPackage: access', () => {
  it('writes every part, and each part parses and agrees with the input', async () => {
    const pkg = await openPackage(input());
    const data = pkg.json<DataJson>('data.json');
    const names = contactFields.map((x) => x.name);

    expect(pkg.names.sort()).toEqual(
      [
        'data.json',
        'data.xlsx',
        'index.html',
        'processing.json',
        'schema.json',
        'csv/crm.contacts.csv',
        `csv/shop.${LONG}.csv`,
        `csv/shop.${LONG}_archive.csv`,
        'csv/analytics.events.csv',
      ].sort(),
    );
    expect(pkg.summary.files.sort()).toEqual(pkg.names.sort());

    // data.json: everything, with schema metadata, undeclared values kept.
    expect(data.format).toBe('lawful-export/1');
    expect(data.collections.map((c) => [c.system, c.collection, c.rowCount])).toEqual([
      ['crm', 'contacts', 3],
      ['shop', LONG, 2],
      ['shop', `${LONG}_archive`, 0],
      ['analytics', 'events', 1],
    ]);
    const contacts = data.collections[0]!;
    expect(contacts.fields[2]).toEqual({
      name: 'email',
      category: 'contact',
      categoryName: 'Contact details',
      portable: 'provided',
    });
    expect(contacts.rows).toEqual([
      { ...expectedRow(contactRows[0]!, names), legacy_flag: 'Y' },
      expectedRow(contactRows[1]!, names),
      expectedRow(contactRows[2]!, names),
    ]);
    expect(contacts.undeclaredFields).toEqual(['legacy_flag']);
    expect(data.collections[2]!.rows).toEqual([]);
    expect(data.lawfulRecords?.consents[0]?.notice).toMatchObject({ text: NOTICE_TEXT, textMatchesHash: true });

    // CSV: BOM, header, every value as text; null and "" stay apart.
    const csv = pkg.csv('csv/crm.contacts.csv');
    expect(csv.bom).toBe(true);
    expect(csv.rows[0]).toEqual(names);
    expect(csv.rows.slice(1)).toEqual(contactRows.map((r) => names.map((n) => expectedCell(r[n]))));
    expect(csv.rows[2]![1]).toBe('');
    expect(csv.rows[2]![2]).toBeNull();
    expect(pkg.csv(`csv/shop.${LONG}_archive.csv`).rows).toEqual([orderFields.map((x) => x.name)]);

    // XLSX: a sheet per collection, names ≤ 31 and unique, then the field guide.
    const sheets = await pkg.xlsx();
    expect(sheets.map((s) => s.name)).toEqual([
      'contacts',
      LONG.slice(0, 31),
      `${LONG.slice(0, 29)}~2`,
      'events',
      'fields',
    ]);
    expect(data.collections.map((c) => c.sheets)).toEqual([
      ['contacts'],
      [LONG.slice(0, 31)],
      [`${LONG.slice(0, 29)}~2`],
      ['events'],
    ]);
    const xs = sheets[0]!.rows;
    expect(xs[0]).toEqual(names);
    expect(xs[1]).toEqual([
      1,
      contactRows[0]!.name,
      'zoe@example.com',
      'said "hi", then left,\nline two\nline three',
      '2024-02-29T23:59:59.123Z',
      0.75,
      JSON.stringify(contactRows[0]!.prefs),
      true,
    ]);
    // A spreadsheet cannot tell an empty string from an empty cell; data.json and the CSV can (docs/export.md).
    expect(xs[2]).toEqual([2, null, null, '=HYPERLINK("http://evil")', null, null, null, false]);
    expect(xs[3]![6]).toBe('[]');
    expect(sheets[1]!.rows.slice(1)).toEqual(orderRows.map((r) => [r.order_id, r.total, r.placed_at]));
    expect(sheets[2]!.rows).toEqual([['order_id', 'total', 'placed_at']]);
    expect(sheets[4]!.rows).toContainEqual([
      'crm',
      'contacts',
      'contacts',
      'csv/crm.contacts.csv',
      'score',
      'usage',
      'Usage of the shop',
      'derived',
      null,
    ]);

    // processing.json: Art. 15(1)(a)–(h) and 15(2) with completeness.
    const processing = pkg.json<Record<string, unknown> & { recipients: { name: string }[] }>('processing.json');
    expect(processing.recipients.map((r) => r.name)).toEqual([
      'DHL Paket GmbH',
      'Hetzner Online GmbH',
      'Mailchimp (Intuit Inc.)',
    ]);
    expect(processing.completeness).toContainEqual(expect.objectContaining({ system: 'legacy-erp', status: 'failed' }));
    expect(processing).not.toHaveProperty('portability');
  });

  it('describes data.json exactly in schema.json', async () => {
    const pkg = await openPackage(input());
    const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(pkg.json<object>('schema.json'));
    const data = pkg.json<DataJson>('data.json');
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    // The schema has teeth: a changed type or a missing row is caught.
    const wrongType = structuredClone(data);
    wrongType.collections[1]!.rows[0]!.total = 'nineteen';
    expect(validate(wrongType)).toBe(false);
    const missingRow = structuredClone(data);
    missingRow.collections[0]!.rows.pop();
    expect(validate(missingRow)).toBe(false);
  });

  it('continues a collection on further sheets past the row limit', async () => {
    const rows = Array.from({ length: 7 }, (_, i) => ({ order_id: `X-${i}`, total: i, placed_at: null }));
    const pkg = await openPackage(input({ sections: [section('shop', 'orders', orderFields, rows)] }), {
      xlsxMaxRows: 3,
      batchRows: 2,
    });
    const sheets = await pkg.xlsx();
    expect(sheets.map((s) => s.name)).toEqual(['orders', 'orders (2)', 'orders (3)', 'orders (4)', 'fields']);
    expect(sheets.slice(0, 4).flatMap((s) => s.rows.slice(1).map((r) => r[0]))).toEqual(rows.map((r) => r.order_id));
    expect(pkg.json<DataJson>('data.json').collections[0]!.sheets).toEqual([
      'orders',
      'orders (2)',
      'orders (3)',
      'orders (4)',
    ]);
  });

  it('reads sections and rows lazily, one at a time, in order', async () => {
    const log: string[] = [];
    async function* gen(): AsyncGenerator<ExportSection> {
      for (const name of ['a', 'b']) {
        log.push(`section ${name}`);
        yield {
          system: 's',
          collection: name,
          fields: [f('v', 'usage')],
          rows: (async function* () {
            for (let i = 0; i < 3; i++) {
              log.push(`${name}${i}`);
              yield { v: i };
            }
          })(),
        };
      }
    }
    const pkg = await openPackage(input({ sections: gen() }), { batchRows: 2 });
    expect(log).toEqual(['section a', 'a0', 'a1', 'a2', 'section b', 'b0', 'b1', 'b2']);
    expect(pkg.json<DataJson>('data.json').collections.map((c) => c.rows.length)).toEqual([3, 3]);
  });

  it('refuses invalid input before writing anything', async () => {
    const bad = input({
      processing: {
        ...metaFixture().processing,
        recipients: [{ id: 'x', name: 'X Corp', role: 'processor', country: 'US' }],
      },
    });
    const err = await buildToNull(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify((err as AppError).issues)).toMatch(/transfer safeguard/);
  });

  it('fails and destroys the output when a source fails mid-stream', async () => {
    const broken: ExportSection = {
      system: 'crm',
      collection: 'contacts',
      fields: [f('id', 'identity')],
      rows: (async function* () {
        yield { id: 1 };
        throw new Error('cursor lost');
      })(),
    };
    const out = sink();
    await expect(buildExportPackage(input({ sections: [broken] }), out)).rejects.toThrow('cursor lost');
    expect(out.destroyed).toBe(true);
  });

  it('reuses the workbook thread without carrying anything over, also after a failed build', async () => {
    const rows = Array.from({ length: 5 }, (_, i) => ({ order_id: `X-${i}`, total: i + 0.5, placed_at: null }));
    const make = () => input({ sections: [section('shop', 'orders', orderFields, rows)] });
    const first = await openPackage(make(), { batchRows: 2 });
    const broken: ExportSection = {
      system: 'shop',
      collection: 'orders',
      fields: orderFields,
      rows: (async function* () {
        yield rows[0]!;
        throw new Error('cursor lost');
      })(),
    };
    // Fails with a sheet open in its thread: that thread must not serve the next package.
    await expect(buildToNull(input({ sections: [broken] }))).rejects.toThrow('cursor lost');
    const second = await openPackage(make(), { batchRows: 2 });
    const third = await openPackage(make(), { batchRows: 2 });
    const [a, b, c] = await Promise.all([first.xlsx(), second.xlsx(), third.xlsx()]);
    expect(a.map((s) => s.name)).toEqual(['orders', 'fields']);
    expect(a[0]!.rows.slice(1)).toEqual(rows.map((r) => [r.order_id, r.total, null]));
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    // Every part of the two workbooks is the same. (Not the bytes of the workbooks themselves: exceljs stamps each
    // part with the time it was written, and two builds can straddle a ZIP timestamp's two-second step.)
    const parts = (xlsx: Uint8Array) =>
      Object.entries(unzipSync(xlsx)).map(([name, bytes]) => [name, Buffer.from(bytes).toString('utf8')]);
    expect(parts(third.files['data.xlsx']!)).toEqual(parts(second.files['data.xlsx']!));
  });

  it('does not read rows twice and accepts a plain iterable of sections', async () => {
    const rows = rowsOf([{ id: 1 }]);
    let reads = 0;
    const counted = {
      async *[Symbol.asyncIterator]() {
        reads++;
        yield* rows;
      },
    };
    await openPackage(
      input({ sections: [{ system: 'crm', collection: 'contacts', fields: [f('id', 'identity')], rows: counted }] }),
    );
    expect(reads).toBe(1);
  });
});

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
const buildToNull = (i: ExportPackageInput) => buildExportPackage(i, sink());
