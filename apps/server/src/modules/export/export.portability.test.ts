import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { ExportField } from './export.contract.ts';
import { metaFixture, section } from './export.fixtures.ts';
import { openPackage } from './export.test-helpers.ts';

const f = (name: string, category: string, portable: ExportField['portable']): ExportField => ({
  name,
  category,
  portable,
});

const portability = () => ({
  ...metaFixture({ kind: 'portability' }),
  sections: [
    // account (contract) + newsletter (consent): in; the derived score and the undeclared key are not.
    section(
      'crm',
      'contacts',
      [f('email', 'contact', 'provided'), f('last_login', 'usage', 'observed'), f('score', 'usage', 'derived')],
      [{ email: 'a@example.com', last_login: '2026-11-01T00:00:00Z', score: 0.3, legacy_flag: 'Y' }],
    ),
    // fraud rests on legitimate interests only: out, and its rows are never read.
    section('analytics', 'events', [f('event', 'usage', 'observed')], [{ event: 'login' }], { forbidRead: true }),
    // Linked to no purpose: out (we cannot show consent or contract).
    section('marketing', 'segments', [f('segment', 'usage', 'provided')], [{ segment: 'x' }], { forbidRead: true }),
    // Contract, but only derived fields: out.
    section('support', 'tickets', [f('sentiment', 'usage', 'derived')], [{ sentiment: 'angry' }], { forbidRead: true }),
  ],
});

type DataJson = { kind: string; collections: { collection: string; fields: { name: string }[]; rows: unknown[] }[] };

describe('buildExportPackage: portability (Art. 20)', () => {
  it('holds only provided/observed fields of data processed on consent or contract', async () => {
    const pkg = await openPackage(portability());
    const data = pkg.json<DataJson & Record<string, unknown>>('data.json');
    expect(data.kind).toBe('portability');
    expect(data.collections.map((c) => c.collection)).toEqual(['contacts']);
    expect(data.collections[0]!.fields.map((x) => x.name)).toEqual(['email', 'last_login']);
    expect(data.collections[0]!.rows).toEqual([{ email: 'a@example.com', last_login: '2026-11-01T00:00:00Z' }]);
    expect(data).not.toHaveProperty('lawfulRecords');

    expect(pkg.names.filter((n) => n.startsWith('csv/'))).toEqual(['csv/crm.contacts.csv']);
    expect(pkg.csv('csv/crm.contacts.csv').rows).toEqual([
      ['email', 'last_login'],
      ['a@example.com', '2026-11-01T00:00:00Z'],
    ]);
    expect((await pkg.xlsx()).map((s) => s.name)).toEqual(['contacts', 'fields']);
  });

  it('says what was left out and why, in processing.json and index.html', async () => {
    const pkg = await openPackage(portability());
    const processing = pkg.json<{ portability: { excluded: unknown[]; droppedFields: unknown[] } }>('processing.json');
    expect(processing.portability.excluded).toEqual([
      { system: 'analytics', collection: 'events', reason: 'basis', bases: ['legitimate_interests'] },
      { system: 'marketing', collection: 'segments', reason: 'unmapped', bases: [] },
      { system: 'support', collection: 'tickets', reason: 'no_fields', bases: ['contract'] },
    ]);
    expect(processing.portability.droppedFields).toEqual([
      { system: 'crm', collection: 'contacts', fields: ['score'] },
    ]);
    expect(pkg.summary.excluded.map((e) => e.reason)).toEqual(['basis', 'unmapped', 'no_fields']);
    const html = pkg.text('index.html');
    expect(html).toContain('analytics / events');
    expect(html).toContain('processed on another legal basis (our legitimate interests)');
    expect(html).toContain('crm / contacts: score');
    expect(html).not.toContain('Your consents, with the text you saw');
  });

  it('ships a schema that admits exactly the portable fields (the direct-transfer format)', async () => {
    const pkg = await openPackage(portability());
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(pkg.json<object>('schema.json'));
    const data = pkg.json<{ collections: { rows: Record<string, unknown>[] }[] }>('data.json');
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
    data.collections[0]!.rows[0]!.score = 0.3;
    expect(validate(data)).toBe(false);
  });
});
