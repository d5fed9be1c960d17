import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinookNames, useChinook } from '../../../test/fixtures/chinook.suite.ts';
import type { Engine, Row } from '../connectors/connector.ts';
import type { DataMap } from './datamap.contract.ts';
import { cutoffFor, purgeExpired } from './datamap.retention.ts';

describe('retention cut-off (calendar arithmetic, UTC)', () => {
  it('counts months and years on the calendar, clamping to the month end', () => {
    const at = (s: string) => new Date(s);
    expect(cutoffFor(at('2026-03-31T10:00:00Z'), '1 month').toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(cutoffFor(at('2028-03-31T00:00:00Z'), '1 month').toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(cutoffFor(at('2026-01-15T00:00:00Z'), '13 months').toISOString()).toBe('2024-12-15T00:00:00.000Z');
    expect(cutoffFor(at('2028-02-29T00:00:00Z'), '1 year').toISOString()).toBe('2027-02-28T00:00:00.000Z');
    expect(cutoffFor(at('2026-06-01T00:00:00Z'), '10 years').toISOString()).toBe('2016-06-01T00:00:00.000Z');
    expect(cutoffFor(at('2026-06-01T00:00:00Z'), '30 days').toISOString()).toBe('2026-05-02T00:00:00.000Z');
    expect(cutoffFor(at('2026-06-01T00:00:00Z'), '2 weeks').toISOString()).toBe('2026-05-18T00:00:00.000Z');
  });

  it('is never after now, keeps the time of day, and lands in the right month (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 600 }),
        (now, months) => {
          const c = cutoffFor(now, `${months} months`);
          expect(c.getTime()).toBeLessThan(now.getTime());
          expect(c.getUTCHours() * 3600e3 + c.getUTCMinutes() * 60e3 + c.getUTCSeconds() * 1e3).toBe(
            now.getUTCHours() * 3600e3 + now.getUTCMinutes() * 60e3 + now.getUTCSeconds() * 1e3,
          );
          const monthIndex = (d: Date) => d.getUTCFullYear() * 12 + d.getUTCMonth();
          expect(monthIndex(now) - monthIndex(c)).toBe(months);
          expect(c.getUTCDate()).toBeLessThanOrEqual(now.getUTCDate());
        },
      ),
    );
  });
});

const retentionSuite = (engine: Engine) =>
  describe(`retention purge on Chinook (${engine})`, () => {
    const ctx = useChinook(engine);
    const { n, pk } = chinookNames(engine);
    const now = new Date('2035-01-01T00:00:00Z');
    // Invoices (retained under Art. 17(3)(b)) keep 10 years; employees, anonymised in place, 32 years after hiring.
    const withEmployeeRetention = (): DataMap => ({
      ...ctx.map,
      systems: ctx.map.systems.map((s) => ({
        ...s,
        collections: s.collections.map((c) =>
          c.name === 'employee' ? { ...c, retention: { column: n('hire_date'), period: '32 years' } } : c,
        ),
      })),
    });
    const date = (v: unknown) => new Date(v instanceof Date ? v : String(v));

    it('Art. 5(1)(e): a dry run counts, changes nothing; the purge deletes expired invoices with their lines, anonymises expired employees, and touches nothing else; again, it does nothing', async () => {
      const map = withEmployeeRetention();
      const invoices = await ctx.rows('invoice');
      const lines = await ctx.rows('invoice_line');
      const employees = await ctx.rows('employee');
      const cutoff = new Date('2025-01-01T00:00:00Z');
      const expired = invoices.filter((r) => date(r[n('invoice_date')]) < cutoff);
      const expiredIds = new Set(expired.map((r) => String(r[pk.invoice])));
      const expiredLines = lines.filter((r) => expiredIds.has(String(r[n('invoice_id')])));
      const oldStaff = employees.filter((r) => date(r[n('hire_date')]) < new Date('2003-01-01T00:00:00Z'));
      expect(expired.length).toBeGreaterThan(0);
      expect(expired.length).toBeLessThan(invoices.length);
      expect(oldStaff.length).toBe(3);
      const before = {
        customer: await ctx.checksums('customer'),
        invoice: await ctx.checksums('invoice'),
        employee: await ctx.checksums('employee'),
      };

      const dry = await purgeExpired(map, { connectorFor: ctx.connectorFor, now, dryRun: true });
      expect(dry).toMatchObject({ dryRun: true, complete: true });
      const byName = (r: typeof dry) => new Map(r.systems[0]!.collections.map((c) => [c.collection, c]));
      expect(byName(dry).get('invoice')).toMatchObject({
        expired: expired.length,
        deleted: expired.length,
        cutoff: cutoff.toISOString(),
      });
      expect(byName(dry).get('invoice_line')).toMatchObject({ expired: 0, deleted: expiredLines.length });
      expect(byName(dry).get('employee')).toMatchObject({ expired: 3, anonymised: 3, deleted: 0 });
      expect(await ctx.checksums('invoice')).toEqual(before.invoice);
      expect(await ctx.checksums('employee')).toEqual(before.employee);

      const done = await purgeExpired(map, { connectorFor: ctx.connectorFor, now });
      expect(done.systems[0]).toMatchObject({ status: 'done' });
      expect(byName(done).get('invoice')?.deleted).toBe(expired.length);
      expect(byName(done).get('invoice_line')?.deleted).toBe(expiredLines.length);
      const invoicesAfter = await ctx.rows('invoice');
      expect(invoicesAfter.map((r) => String(r[pk.invoice])).sort()).toEqual(
        invoices
          .filter((r) => !expiredIds.has(String(r[pk.invoice])))
          .map((r) => String(r[pk.invoice]))
          .sort(),
      );
      // Rows that were not expired are byte for byte what they were; so are all customers.
      const kept = await ctx.checksums('invoice');
      for (const [id, sum] of kept) expect(sum).toBe(before.invoice.get(id));
      expect(await ctx.checksums('customer')).toEqual(before.customer);
      const linesAfter = await ctx.rows('invoice_line');
      expect(linesAfter).toHaveLength(lines.length - expiredLines.length);
      expect(linesAfter.some((r: Row) => expiredIds.has(String(r[n('invoice_id')])))).toBe(false);
      const staffAfter = await ctx.rows('employee');
      for (const old of oldStaff) {
        const now = staffAfter.find((r) => String(r[pk.employee]) === String(old[pk.employee]))!;
        expect(now[n('first_name')]).toBe('Erased');
        expect(now[n('email')]).toBeNull();
        expect(now[n('phone')]).toBeNull();
      }
      const young = staffAfter.filter((r) => !oldStaff.some((o) => String(o[pk.employee]) === String(r[pk.employee])));
      for (const r of young) expect(r[n('first_name')]).not.toBe('Erased');

      const again = await purgeExpired(map, { connectorFor: ctx.connectorFor, now });
      for (const c of again.systems[0]!.collections) expect([c.deleted, c.anonymised]).toEqual([0, 0]);
    });

    it('a retention column that is not a date is refused before anything runs', async () => {
      const map: DataMap = {
        ...ctx.map,
        systems: ctx.map.systems.map((s) => ({
          ...s,
          collections: s.collections.map((c) =>
            c.name === 'invoice' ? { ...c, retention: { column: n('billing_city'), period: '1 year' } } : c,
          ),
        })),
      };
      const r = await purgeExpired(map, { connectorFor: ctx.connectorFor, now });
      expect(r.complete).toBe(false);
      expect(r.systems[0]?.error).toMatch(/is not a date/);
    });
  });

retentionSuite('postgres');
retentionSuite('mysql');
