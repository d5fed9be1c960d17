import type { Condition, Row, SchemaSnapshot, Transaction } from '../connectors/connector.ts';
import { chunks } from '../connectors/sql.builder.ts';
import type { DataCollection, DataSystem, SubjectIdentity } from './datamap.contract.ts';
import { identityConditions, keyString, normaliseScalar } from './datamap.model.ts';

/**
 * Rows of one collection, or, for a collection the caller `defer`s, the conditions that select them (never read:
 * the caller acts on them in one statement).
 */
export type LocatedPage = { collection: DataCollection; rows: Row[]; where?: Condition[] };

export type LocateOptions = {
  identities: readonly SubjectIdentity[];
  live: SchemaSnapshot;
  /** Collections not to search (missing in the live schema); the caller reports them. */
  skip?: ReadonlySet<string>;
  columns: (c: DataCollection) => readonly string[];
  pseudonymKey?: Buffer;
  batchSize?: number;
  /**
   * Collections whose rows are not read but handed back as conditions. What is reached through them is searched
   * by a subquery on the same conditions (`in_select`), so it must be searched (or deleted) before they change.
   */
  defer?: (c: DataCollection) => boolean;
};

const MAX_NESTING = 16;
const nesting = (anyOf: readonly Condition[]): number =>
  Math.max(0, ...anyOf.map((c) => (c.op === 'in_select' ? 1 + nesting(c.anyOf) : 0)));

// Values followed through a reference per statement; keeps bound-parameter counts well under every engine's limit.
const FOLLOW_CHUNK = 500;

/**
 * Finds every row of one subject in one system: first through identity fields, then hop by hop along references
 * (customer → invoice → invoice_line), breadth first. Each row is yielded once, however many paths lead to it, and
 * each referenced value is followed once, so cycles in the references terminate.
 */
export async function* locate(system: DataSystem, tx: Transaction, opts: LocateOptions): AsyncGenerator<LocatedPage> {
  const byName = new Map(system.collections.map((c) => [c.name, c]));
  const seen = new Map<string, Set<string>>();
  const followed = new Map<number, Set<string>>();
  const queue: { collection: DataCollection; anyOf: Condition[] }[] = [];

  for (const c of system.collections) {
    if (opts.skip?.has(c.name)) continue;
    const anyOf = identityConditions(c, opts.identities, opts.live, opts.pseudonymKey);
    if (anyOf.length > 0) queue.push({ collection: c, anyOf });
  }

  while (queue.length > 0) {
    const { collection: c, anyOf } = queue.shift()!;
    if (opts.defer?.(c)) {
      yield { collection: c, rows: [], where: anyOf };
      for (const ref of system.references) {
        const target = byName.get(ref.from.collection);
        if (ref.to.collection !== c.name || !target || opts.skip?.has(target.name)) continue;
        // The caller defers only what has no cycle below it, so this nesting ends; the bound is a last guard.
        if (nesting(anyOf) >= MAX_NESTING) throw new Error(`references below ${c.name} nest too deep to defer`);
        const sub: Condition = {
          op: 'in_select',
          column: ref.from.column,
          table: c.table,
          select: ref.to.column,
          anyOf,
        };
        queue.push({ collection: target, anyOf: [sub] });
      }
      continue;
    }
    const seenHere = seen.get(c.name) ?? new Set<string>();
    seen.set(c.name, seenHere);
    const spec = { table: c.table, columns: opts.columns(c), key: c.primaryKey, anyOf, batchSize: opts.batchSize };
    for await (const page of tx.select(spec)) {
      const fresh = page.filter((row) => {
        const k = keyString(c.primaryKey, row);
        if (seenHere.has(k)) return false;
        seenHere.add(k);
        return true;
      });
      if (fresh.length === 0) continue;
      yield { collection: c, rows: fresh };
      for (const [ri, ref] of system.references.entries()) {
        if (ref.to.collection !== c.name) continue;
        const target = byName.get(ref.from.collection);
        if (!target || opts.skip?.has(target.name)) continue;
        const done = followed.get(ri) ?? new Set<string>();
        followed.set(ri, done);
        const values: unknown[] = [];
        for (const row of fresh) {
          const v = normaliseScalar(row[ref.to.column]);
          if (v === null || v === undefined) continue;
          const k = JSON.stringify(v);
          if (done.has(k)) continue;
          done.add(k);
          values.push(v);
        }
        for (const part of chunks(values, FOLLOW_CHUNK)) {
          queue.push({ collection: target, anyOf: [{ op: 'in', column: ref.from.column, values: part }] });
        }
      }
    }
  }
}
