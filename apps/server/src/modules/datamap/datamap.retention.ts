import type { Row, SchemaSnapshot, Transaction } from '../connectors/connector.ts';
import type { DataCollection, DataMap, DataSystem } from './datamap.contract.ts';
import { anonymiseRows, deleteRows, deletionOrder } from './datamap.erase.ts';
import { type ConnectorLookup, linkColumns, missingInLive, neededColumns, normaliseScalar } from './datamap.model.ts';

/**
 * Storage limitation (Art. 5(1)(e)): rows past their collection's `retention` period are removed from the connected
 * systems. What "removed" means follows the collection's own erasure strategy:
 * - rows deleted whole or kept under an Art. 17(3) ground (`delete_row`, `retain`, or none) are deleted, together
 *   with the rows of other collections that belong to them through the map's references (an invoice's lines go
 *   with the invoice), children first;
 * - rows anonymised in place (`set_null`, `mask`, `pseudonymise`) keep existing with their fields anonymised, as an
 *   erasure would leave them.
 */
export type CollectionPurge = {
  collection: string;
  table: string;
  /** Rows past the cut-off in this collection itself (0 for a collection purged only as a dependant). */
  expired: number;
  deleted: number;
  anonymised: number;
  /** The collection's own cut-off; absent for one purged only because its parent rows expired. */
  cutoff?: string;
};

export type SystemPurge = {
  system: string;
  status: 'done' | 'failed' | 'skipped';
  collections: CollectionPurge[];
  error?: string;
};

export type RetentionReport = { at: string; dryRun: boolean; systems: SystemPurge[]; complete: boolean };

export type RetentionOptions = {
  connectorFor: ConnectorLookup;
  now: Date;
  pseudonymKey?: Buffer;
  /** Everything runs and is counted inside the transaction, which is then rolled back. */
  dryRun?: boolean;
  batchSize?: number;
};

const UNIT = /^(\d+) (day|week|month|year)s?$/;

/**
 * The instant `period` before `now`, in calendar terms (UTC): "13 months" before 31 March is 28/29 February of the
 * year before, never a fixed day count.
 * @example cutoffFor(new Date('2026-03-31T00:00:00Z'), '1 month') // 2026-02-28T00:00:00.000Z
 */
export const cutoffFor = (now: Date, period: string): Date => {
  const m = UNIT.exec(period);
  if (!m) throw new Error(`not a period: ${period}`);
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === 'day' || unit === 'week') return new Date(now.getTime() - n * (unit === 'day' ? 1 : 7) * 86_400_000);
  const months = unit === 'month' ? n : n * 12;
  const y = now.getUTCFullYear();
  const mo = now.getUTCMonth() - months;
  const target = new Date(Date.UTC(y, mo, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(now.getUTCDate(), lastDay));
  target.setUTCHours(now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds());
  return target;
};

const anonymisedInPlace = (c: DataCollection) =>
  c.erasure?.kind === 'set_null' || c.erasure?.kind === 'mask' || c.erasure?.kind === 'pseudonymise';

const readAll = async (tx: Transaction, spec: Parameters<Transaction['select']>[0]): Promise<Row[]> => {
  const rows: Row[] = [];
  for await (const page of tx.select(spec)) rows.push(...page);
  return rows;
};

const purgeSystem = async (s: DataSystem, opts: RetentionOptions): Promise<SystemPurge> => {
  const withRetention = s.collections.filter((c) => c.retention);
  if (withRetention.length === 0) return { system: s.id, status: 'skipped', collections: [] };
  let tx: Transaction | undefined;
  try {
    const connector = await opts.connectorFor(s);
    const live: SchemaSnapshot = await connector.introspect();
    const problems = s.collections.map((c) => missingInLive(s, c, live)).filter((p): p is string => p !== null);
    for (const c of withRetention) {
      const col = live.tables.get(c.table)?.columns.find((x) => x.name === c.retention!.column);
      if (col && col.kind !== 'temporal') problems.push(`retention column ${c.table}.${col.name} is not a date`);
    }
    if (problems.length > 0)
      return {
        system: s.id,
        status: 'failed',
        collections: [],
        error: `map does not match the database: ${problems.join('; ')}`,
      };
    const byName = new Map(s.collections.map((c) => [c.name, c]));
    const report = new Map<string, CollectionPurge>();
    const entry = (c: DataCollection) => {
      const e = report.get(c.name) ?? { collection: c.name, table: c.table, expired: 0, deleted: 0, anonymised: 0 };
      report.set(c.name, e);
      return e;
    };
    const batchSize = opts.batchSize ?? 5000;

    // Deletes `rows` of `c` after the rows of other collections that belong to them; `path` stops reference cycles.
    const deleteWithDependants = async (c: DataCollection, rows: Row[], path: string[]): Promise<void> => {
      if (rows.length === 0) return;
      for (const ref of s.references) {
        if (ref.to.collection !== c.name || ref.from.collection === c.name) continue;
        const child = byName.get(ref.from.collection)!;
        if (path.includes(child.name)) continue;
        const values = [...new Set(rows.map((r) => normaliseScalar(r[ref.to.column])).filter((v) => v != null))];
        if (values.length === 0) continue;
        const anyOf = [{ op: 'in' as const, column: ref.from.column, values }];
        if (anonymisedInPlace(child))
          throw new Error(
            `${child.table} rows still point to expired ${c.table} rows and are anonymised in place, not deleted: give ${child.name} a delete_row or retain strategy, or a retention of its own`,
          );
        const childRows = await readAll(tx!, {
          table: child.table,
          columns: linkColumns(s, child),
          key: child.primaryKey,
          anyOf,
          batchSize,
        });
        await deleteWithDependants(child, childRows, [...path, child.name]);
      }
      entry(c).deleted += await deleteRows(tx!, c, rows);
    };

    tx = await connector.begin('write');
    // Children first, so a parent's expiry never trips over rows that are themselves expiring.
    for (const c of deletionOrder(s, live)) {
      if (!c.retention) continue;
      const cutoff = cutoffFor(opts.now, c.retention.period);
      const e = entry(c);
      e.cutoff = cutoff.toISOString();
      const anyOf = [{ op: 'before' as const, column: c.retention.column, value: cutoff }];
      const inPlace = anonymisedInPlace(c);
      const rows = await readAll(tx, {
        table: c.table,
        columns: inPlace ? neededColumns(s, c) : linkColumns(s, c),
        key: c.primaryKey,
        anyOf,
        batchSize,
      });
      e.expired += rows.length;
      if (inPlace) e.anonymised += await anonymiseRows(tx, c, rows, live, opts.pseudonymKey);
      else await deleteWithDependants(c, rows, [c.name]);
    }
    if (opts.dryRun) await tx.rollback();
    else await tx.commit();
    return { system: s.id, status: 'done', collections: [...report.values()] };
  } catch (err) {
    await tx?.rollback().catch(() => undefined);
    // No identifier is at hand to scrub for, so quoted values (MySQL quotes the offending one) are dropped.
    const message = (err as Error).message.replace(/'[^']*'/g, "'…'").slice(0, 2000);
    return { system: s.id, status: 'failed', collections: [], error: message };
  }
};

/**
 * Purges what is past its retention period in every system of the map, one transaction per system (all of a
 * system's purge happens, or none of it). Running it again changes nothing: expired rows are gone or already
 * anonymised (`deleted: 0, anonymised: 0`).
 * @example
 * const report = await purgeExpired(map, { connectorFor, now: clock.now(), dryRun: true });
 */
export const purgeExpired = async (map: DataMap, opts: RetentionOptions): Promise<RetentionReport> => {
  const systems: SystemPurge[] = [];
  for (const s of map.systems) systems.push(await purgeSystem(s, opts));
  return {
    at: opts.now.toISOString(),
    dryRun: !!opts.dryRun,
    systems,
    complete: systems.every((x) => x.status !== 'failed'),
  };
};
