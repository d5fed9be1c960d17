import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import { DataMap, type DataMapInput } from './datamap.contract.ts';
import { loadDataMap } from './datamap.model.ts';
import { DATAMAP_SCHEMA_FILE, renderDataMapJsonSchema } from './datamap.schema-export.ts';

const base = (): DataMapInput => ({
  version: 1,
  systems: [
    {
      id: 'shop',
      engine: 'postgres',
      connection: 'shop-db',
      collections: [
        {
          name: 'customer',
          table: 'customer',
          primaryKey: ['id'],
          fields: [
            {
              column: 'email',
              category: 'user.contact.email',
              identity: { kind: 'email' },
              erasure: { kind: 'mask', pattern: 'x-{pk}@invalid' },
            },
          ],
        },
        {
          name: 'invoice',
          table: 'invoice',
          primaryKey: ['id'],
          erasure: { kind: 'retain', ground: 'art17_3_b', period: '10 years' },
        },
      ],
      references: [
        { from: { collection: 'invoice', column: 'customer_id' }, to: { collection: 'customer', column: 'id' } },
      ],
    },
  ],
});

const problems = (input: unknown) => {
  const r = DataMap.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('data map validation', () => {
  it('accepts a sound map and fills defaults', () => {
    const map = DataMap.parse(base());
    expect(map.revision).toBe(1);
    expect(map.systems[0]!.collections[0]!.fields[0]).toMatchObject({ otherPeople: false, portability: 'provided' });
  });

  it('names the path of an unknown collection in a reference', () => {
    const m = base();
    m.systems[0]!.references = [
      { from: { collection: 'invoices', column: 'customer_id' }, to: { collection: 'customer', column: 'id' } },
    ];
    expect(problems(m)).toContain(
      'systems.0.references.0.from.collection: unknown collection "invoices" in system "shop"',
    );
  });

  it('refuses retain without a legal ground, and unknown categories', () => {
    const m = base() as { systems: { collections: { erasure?: unknown; fields?: { category: string }[] }[] }[] };
    m.systems[0]!.collections[1]!.erasure = { kind: 'retain', period: '10 years' };
    m.systems[0]!.collections[0]!.fields![0]!.category = 'user.contact.emial';
    const p = problems(m);
    expect(p.some((x) => x.startsWith('systems.0.collections.1.erasure.ground'))).toBe(true);
    expect(p.some((x) => x.startsWith('systems.0.collections.0.fields.0.category'))).toBe(true);
  });

  it('accepts custom categories and rejects malformed ones', () => {
    const m = base();
    m.systems[0]!.collections[0]!.fields!.push({
      column: 'loyalty',
      category: 'custom.loyalty.tier',
      erasure: { kind: 'set_null' },
    });
    expect(problems(m)).toEqual([]);
    m.systems[0]!.collections[0]!.fields![1]!.category = 'custom.Loyalty Tier';
    expect(problems(m).length).toBeGreaterThan(0);
  });

  it('explains cross-field mistakes', () => {
    const m = base();
    const c = m.systems[0]!.collections[0]!;
    c.erasure = { kind: 'delete_row' };
    c.fields!.push(
      { column: 'phone', category: 'user.contact.phone' },
      { column: 'phone', category: 'user.contact.phone', erasure: { kind: 'delete_row' } },
    );
    m.systems[0]!.collections.push({ name: 'notes', table: 'notes', primaryKey: ['id'] });
    const p = problems(m);
    expect(p).toContain('systems.0.collections.0.fields.2.column: column "phone" is mapped twice in customer');
    expect(p).toContain(
      'systems.0.collections.0.fields.2.erasure: delete_row removes whole rows: set it on collection "customer", not on field "phone"',
    );
    expect(p).toContain(
      'systems.0.collections.2.erasure: collection "notes" maps no fields, so it needs an erasure strategy (delete_row or retain)',
    );
    expect(
      p.some(
        (x) => x.startsWith('systems.0.references.0:') && x.includes('"customer" rows are deleted but "invoice" rows'),
      ),
    ).toBe(true);
  });

  it('loadDataMap reports every problem through the one error type', () => {
    const m = base();
    m.systems[0]!.collections[1]!.erasure = { kind: 'retain', ground: 'art17_3_z', period: 'forever' } as never;
    try {
      loadDataMap(JSON.stringify(m));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('VALIDATION_FAILED');
      expect((err as AppError).issues!.map((i) => i.field)).toEqual([
        'systems.0.collections.1.erasure.ground',
        'systems.0.collections.1.erasure.period',
      ]);
    }
  });

  it('the checked-in JSON Schema is current (regenerate with tsx datamap.schema-export.ts)', () => {
    // Compared as data: the formatter may re-indent the file.
    expect(JSON.parse(readFileSync(DATAMAP_SCHEMA_FILE, 'utf8'))).toEqual(JSON.parse(renderDataMapJsonSchema()));
  });

  it('both Chinook fixture maps load', () => {
    for (const e of ['postgres', 'mysql']) {
      const map = loadDataMap(
        readFileSync(new URL(`../../../test/fixtures/chinook.${e}.datamap.yaml`, import.meta.url), 'utf8'),
      );
      expect(map.systems[0]!.collections.map((c) => c.name)).toEqual([
        'customer',
        'invoice',
        'invoice_line',
        'employee',
      ]);
    }
  });
});
