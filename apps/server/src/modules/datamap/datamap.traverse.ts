import type { Row, SchemaSnapshot, Transaction } from '../connectors/connector.ts';
import type { DataCategory, DataCollection, DataMap, DataSystem, SubjectIdentity } from './datamap.contract.ts';
import { locate } from './datamap.locate.ts';
import { type ConnectorLookup, missingInLive, neededColumns, normaliseScalar, scrubError } from './datamap.model.ts';

/** Placeholder written instead of another person's data (Art. 15(4)). */
export const REDACTED = '[redacted: other person]';

export type AccessField = {
  column: string;
  value: unknown;
  /** null for columns the map does not describe: still part of the person's record, shown for a faithful copy. */
  category: DataCategory | null;
  portability: 'provided' | 'observed' | 'derived' | null;
  redacted: boolean;
};

export type AccessRecord = { key: Row; fields: AccessField[] };

export type CollectionReport = { collection: string; searched: boolean; rows: number; problem?: string };

export type SystemReport = {
  system: string;
  /** complete: every mapped collection searched · partial: some could not be · failed: the system could not be searched. */
  status: 'complete' | 'partial' | 'failed';
  collections: CollectionReport[];
  error?: string;
  durationMs: number;
};

export type AccessEvent =
  | { type: 'rows'; system: string; collection: string; table: string; records: AccessRecord[] }
  | { type: 'system'; report: SystemReport };

export type AccessOptions = {
  connectorFor: ConnectorLookup;
  /** Also find rows pseudonymised with this key (same key erasure used). */
  pseudonymKey?: Buffer;
  batchSize?: number;
};

const toRecord = (c: DataCollection, row: Row): AccessRecord => {
  const mapped = new Map(c.fields.map((f) => [f.column, f]));
  const fields: AccessField[] = Object.entries(row).map(([column, raw]) => {
    const f = mapped.get(column);
    const redacted = f?.otherPeople === true && raw !== null;
    return {
      column,
      value: redacted ? REDACTED : normaliseScalar(raw),
      category: f?.category ?? null,
      portability: f?.portability ?? null,
      redacted,
    };
  });
  return { key: Object.fromEntries(c.primaryKey.map((k) => [k, normaliseScalar(row[k])])), fields };
};

const allColumns = (live: SchemaSnapshot, s: DataSystem) => (c: DataCollection) => {
  const cols = live.tables.get(c.table)?.columns.map((col) => col.name) ?? [];
  return [...new Set([...neededColumns(s, c), ...cols])];
};

async function* accessSystem(
  s: DataSystem,
  identities: readonly SubjectIdentity[],
  opts: AccessOptions,
): AsyncGenerator<AccessEvent> {
  const started = performance.now();
  const counts = new Map<string, CollectionReport>(
    s.collections.map((c) => [c.name, { collection: c.name, searched: false, rows: 0 }]),
  );
  const report = (status: SystemReport['status'], error?: string): AccessEvent => ({
    type: 'system',
    report: {
      system: s.id,
      status,
      collections: [...counts.values()],
      ...(error ? { error } : {}),
      durationMs: Math.round(performance.now() - started),
    },
  });
  let tx: Transaction | undefined;
  try {
    const connector = await opts.connectorFor(s);
    const live = await connector.introspect();
    const skip = new Set<string>();
    for (const c of s.collections) {
      const problem = missingInLive(s, c, live);
      if (problem) {
        skip.add(c.name);
        counts.get(c.name)!.problem = problem;
      } else counts.get(c.name)!.searched = true;
    }
    tx = await connector.begin('read');
    const pages = locate(s, tx, {
      identities,
      live,
      skip,
      columns: allColumns(live, s),
      pseudonymKey: opts.pseudonymKey,
      batchSize: opts.batchSize,
    });
    for await (const { collection: c, rows } of pages) {
      counts.get(c.name)!.rows += rows.length;
      yield {
        type: 'rows',
        system: s.id,
        collection: c.name,
        table: c.table,
        records: rows.map((r) => toRecord(c, r)),
      };
    }
    await tx.commit();
    yield report(skip.size > 0 ? 'partial' : 'complete');
  } catch (err) {
    await tx?.rollback().catch(() => undefined);
    for (const c of counts.values()) c.searched = false;
    yield report('failed', scrubError(err, identities));
  }
}

/**
 * Streams one subject's rows from every system in the map, system after system, each followed by a completeness
 * report. A system that cannot be reached or fails midway is reported as failed, never silently left out
 * (EDPB 01/2022: the search covers every system).
 * @example
 * for await (const ev of accessSubject(map, [{ kind: 'email', value: 'ada@example.com' }], { connectorFor }))
 *   if (ev.type === 'rows') writer.add(ev); else reports.push(ev.report);
 */
export async function* accessSubject(
  map: DataMap,
  identities: readonly SubjectIdentity[],
  opts: AccessOptions,
): AsyncGenerator<AccessEvent> {
  for (const s of map.systems) yield* accessSystem(s, identities, opts);
}

export type CollectedAccess = {
  systems: SystemReport[];
  /** records by system id, then collection name */
  data: Record<string, Record<string, AccessRecord[]>>;
  complete: boolean;
};

/** Gathers the whole stream in memory; fine for one person, handy for small exports and tests. */
export const collectAccess = async (events: AsyncIterable<AccessEvent>): Promise<CollectedAccess> => {
  const out: CollectedAccess = { systems: [], data: {}, complete: true };
  for await (const ev of events) {
    if (ev.type === 'system') {
      out.systems.push(ev.report);
      if (ev.report.status !== 'complete') out.complete = false;
      continue;
    }
    const sys = out.data[ev.system] ?? {};
    out.data[ev.system] = sys;
    sys[ev.collection] = [...(sys[ev.collection] ?? []), ...ev.records];
  }
  return out;
};
