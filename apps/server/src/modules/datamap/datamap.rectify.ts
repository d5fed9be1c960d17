import { AppError } from '../../lib/errors.ts';
import type { Row, Transaction } from '../connectors/connector.ts';
import type {
  DataCategory,
  DataField,
  DataMap,
  DataSystem,
  IdentityKind,
  SubjectIdentity,
} from './datamap.contract.ts';
import { locate } from './datamap.locate.ts';
import { type ConnectorLookup, missingInLive, neededColumns, normaliseScalar, scrubError } from './datamap.model.ts';

/** One correction: every field of this category (or identity kind) takes the new value. */
export type Rectification = {
  target: { category: DataCategory } | { identity: IdentityKind };
  value: string | number | null;
};

export type RectifiedValue = {
  collection: string;
  column: string;
  key: Row;
  /** Old and new values: personal data, so the caller encrypts them before storing. */
  oldValue: unknown;
  newValue: unknown;
};

export type SystemRectification = {
  system: string;
  status: 'done' | 'failed';
  changes: RectifiedValue[];
  error?: string;
};

const matches = (f: DataField, r: Rectification) =>
  !f.otherPeople &&
  ('category' in r.target ? f.category === r.target.category : f.identity?.kind === r.target.identity);

const rectifySystem = async (
  s: DataSystem,
  identities: readonly SubjectIdentity[],
  changes: readonly Rectification[],
  connectorFor: ConnectorLookup,
): Promise<SystemRectification> => {
  let tx: Transaction | undefined;
  try {
    const targets = s.collections.filter((c) => c.fields.some((f) => changes.some((r) => matches(f, r))));
    if (targets.length === 0) return { system: s.id, status: 'done', changes: [] };
    const connector = await connectorFor(s);
    const live = await connector.introspect();
    const problems = s.collections.map((c) => missingInLive(s, c, live)).filter((p) => p !== null);
    if (problems.length > 0) throw new Error(`map does not match the database: ${problems.join('; ')}`);
    tx = await connector.begin('write');
    const found: { collection: (typeof targets)[number]; row: Row }[] = [];
    const pages = locate(s, tx, { identities, live, columns: (c) => neededColumns(s, c) });
    for await (const { collection, rows } of pages) {
      if (targets.includes(collection)) for (const row of rows) found.push({ collection, row });
    }
    const out: RectifiedValue[] = [];
    for (const { collection: c, row } of found) {
      const set: Row = {};
      for (const f of c.fields) {
        const r = changes.find((x) => matches(f, x));
        if (!r || normaliseScalar(row[f.column]) === r.value) continue;
        set[f.column] = r.value;
        const key = Object.fromEntries(c.primaryKey.map((k) => [k, normaliseScalar(row[k])]));
        out.push({
          collection: c.name,
          column: f.column,
          key,
          oldValue: normaliseScalar(row[f.column]),
          newValue: r.value,
        });
      }
      if (Object.keys(set).length === 0) continue;
      await tx.updateRow(c.table, c.primaryKey, Object.fromEntries(c.primaryKey.map((k) => [k, row[k]])), set);
    }
    await tx.commit();
    return { system: s.id, status: 'done', changes: out };
  } catch (err) {
    await tx?.rollback().catch(() => undefined);
    return { system: s.id, status: 'failed', changes: [], error: scrubError(err, identities) };
  }
};

/**
 * Applies corrections (Art. 16) wherever the map says the field lives: every system, every collection mapping that
 * category or identity kind, one transaction per system. Other people's data is never touched.
 * @example await rectifySubject(map, ids, [{ target: { identity: 'email' }, value: 'new@example.com' }], { connectorFor });
 */
export const rectifySubject = async (
  map: DataMap,
  identities: readonly SubjectIdentity[],
  changes: readonly Rectification[],
  opts: { connectorFor: ConnectorLookup },
): Promise<{ systems: SystemRectification[]; complete: boolean }> => {
  if (changes.length === 0) throw new AppError('VALIDATION_FAILED', 'no change to apply', { field: 'changes' });
  const systems: SystemRectification[] = [];
  for (const s of map.systems) systems.push(await rectifySystem(s, identities, changes, opts.connectorFor));
  return { systems, complete: systems.every((s) => s.status === 'done') };
};
