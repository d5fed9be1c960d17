import type { Connector, ForeignKeyInfo, SchemaSnapshot, TableInfo } from '../connectors/connector.ts';
import { DataMap, type DataMapInput } from './datamap.contract.ts';
import { type Detection, detectColumn, loadNameSet } from './datamap.detect.ts';

export type DiscoverOptions = {
  system: { id: string; engine: 'postgres' | 'mysql'; connection: string };
  /** From the Clock: used to judge whether dates are plausible birth dates. */
  now: Date;
  /** Rows sampled per table (0 = judge by names only). */
  sampleSize?: number;
  /** Tables sampled at once; a platform's database is someone else's production system. */
  concurrency?: number;
};

export type Discovery = {
  /** A proposal to review, not a finished map: it parses, but categories and strategies are guesses. */
  map: DataMap | null;
  /** Problems that kept the proposal from being a valid map (should not happen; reported rather than thrown). */
  issues: string[];
  detections: Map<string, Detection[]>;
  notFollowed: { fk: ForeignKeyInfo; why: string }[];
  report: string;
  stats: { tables: number; columns: number; sampledTables: number; durationMs: number };
};

const SAMPLED_KINDS = new Set(['text', 'temporal', 'other']);

const pool = async <T>(items: readonly T[], size: number, fn: (item: T) => Promise<void>) => {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
};

const detectTables = async (connector: Connector, live: SchemaSnapshot, opts: DiscoverOptions) => {
  const sampleSize = opts.sampleSize ?? 100;
  const names = sampleSize > 0 ? await loadNameSet() : new Set<string>();
  const detections = new Map<string, Detection[]>();
  let sampledTables = 0;
  await pool([...live.tables.values()], opts.concurrency ?? 4, async (t: TableInfo) => {
    const sampled = t.columns.filter((c) => SAMPLED_KINDS.has(c.kind));
    const rows =
      sampleSize > 0 && sampled.length > 0
        ? await connector.sample(
            t.name,
            sampled.map((c) => c.name),
            sampleSize,
          )
        : [];
    if (rows.length > 0) sampledTables++;
    const found = t.columns
      .filter((c) => !t.primaryKey.includes(c.name))
      .map((c) =>
        detectColumn(
          c,
          rows.map((r) => r[c.name]),
          names,
          opts.now,
        ),
      )
      .filter((d): d is Detection => d !== null);
    if (found.length > 0) detections.set(t.name, found);
  });
  return { detections, sampledTables };
};

const maskFor = (d: Detection) => (d.identity === 'email' ? 'erased-{pk}@invalid.example' : 'erased');

/**
 * Introspects a live database and proposes a data map: columns that look personal (by name and by sampled values,
 * each with its reasons), foreign keys as references, and a report a person can review.
 * Tables reach the proposal when they hold personal columns, or point (transitively) at a table that does.
 * A foreign key between two tables that both identify people (customer → support rep) is not followed: the
 * referencing column is marked as other people's data instead.
 * @example const { map, report } = await discoverDataMap(conn, { system: { id: 'shop', engine: 'postgres', connection: 'shop-db' }, now });
 */
export const discoverDataMap = async (connector: Connector, opts: DiscoverOptions): Promise<Discovery> => {
  const started = performance.now();
  const live = await connector.introspect();
  const { detections, sampledTables } = await detectTables(connector, live, opts);
  const identifying = new Set([...detections].filter(([, ds]) => ds.some((d) => d.identity)).map(([t]) => t));

  const included = new Set([...detections.keys()].filter((t) => (live.tables.get(t)?.primaryKey.length ?? 0) > 0));
  const noKey = [...detections.keys()].filter((t) => !included.has(t));
  const notFollowed: Discovery['notFollowed'] = [];
  const otherPeople = new Map<string, Set<string>>();
  const references: NonNullable<DataMapInput['systems'][number]['references']> = [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const fk of live.foreignKeys) {
      if (included.has(fk.table) || !included.has(fk.refTable) || fk.columns.length !== 1) continue;
      if ((live.tables.get(fk.table)?.primaryKey.length ?? 0) === 0) continue;
      included.add(fk.table);
      grew = true;
    }
  }
  for (const fk of live.foreignKeys) {
    if (!included.has(fk.table) || !included.has(fk.refTable)) continue;
    const twoPeople = fk.table === fk.refTable || (identifying.has(fk.table) && identifying.has(fk.refTable));
    if (fk.columns.length !== 1)
      notFollowed.push({ fk, why: 'composite foreign key: declare it by hand if it links a person' });
    else if (twoPeople) {
      notFollowed.push({
        fk,
        why: `${fk.table} and ${fk.refTable} each identify people; ${fk.table}.${fk.columns[0]} is marked as other people's data`,
      });
      otherPeople.set(fk.table, (otherPeople.get(fk.table) ?? new Set()).add(fk.columns[0]!));
    } else {
      references.push({
        from: { collection: fk.table, column: fk.columns[0]! },
        to: { collection: fk.refTable, column: fk.refColumns[0]! },
      });
    }
  }

  const collections = [...included].sort().map((name) => {
    const t = live.tables.get(name)!;
    const found = detections.get(name) ?? [];
    const fields = found.map((d) => {
      const col = t.columns.find((c) => c.name === d.column)!;
      return {
        column: d.column,
        category: d.category,
        ...(d.identity ? { identity: { kind: d.identity } } : {}),
        // NOT NULL columns cannot be nulled; a mask keeps the row valid.
        ...(!col.nullable && col.kind === 'text' ? { erasure: { kind: 'mask' as const, pattern: maskFor(d) } } : {}),
      };
    });
    for (const column of otherPeople.get(name) ?? []) {
      if (!fields.some((f) => f.column === column))
        fields.push({ column, category: 'custom.other_person', otherPeople: true } as (typeof fields)[number]);
    }
    return {
      name: name
        .toLowerCase()
        .replace(/[^a-z0-9_-]/g, '_')
        .replace(/^[^a-z]/, 't$&')
        .slice(0, 63),
      table: name,
      primaryKey: t.primaryKey,
      fields,
      // Tables holding personal columns are anonymised in place (other rows may point at them); tables that are
      // only linked to a person are deleted with them. Both are guesses for a human to confirm.
      erasure: fields.length > 0 ? { kind: 'set_null' as const } : { kind: 'delete_row' as const },
    };
  });
  // A kept table pointing into a deleted one would make the proposal invalid (and erasure fail on the FK): such a
  // link is left for a person to decide.
  const deletedTables = new Set(collections.filter((c) => c.erasure.kind === 'delete_row').map((c) => c.table));
  for (let i = references.length - 1; i >= 0; i--) {
    const r = references[i]!;
    if (!deletedTables.has(r.to.collection) || deletedTables.has(r.from.collection)) continue;
    references.splice(i, 1);
    const fk = live.foreignKeys.find(
      (k) => k.table === r.from.collection && k.refTable === r.to.collection && k.columns[0] === r.from.column,
    )!;
    notFollowed.push({
      fk,
      why: `${r.from.collection} keeps its rows but points at ${r.to.collection}, proposed for deletion: decide which gives way`,
    });
  }
  const nameOf = new Map(collections.map((c) => [c.table, c.name]));
  for (const r of references) {
    r.from.collection = nameOf.get(r.from.collection)!;
    r.to.collection = nameOf.get(r.to.collection)!;
  }
  const input: DataMapInput = { version: 1, systems: [{ ...opts.system, collections, references }] };
  const parsed = collections.length > 0 ? DataMap.safeParse(input) : null;
  const issues = parsed?.success === false ? parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) : [];
  if (collections.length === 0) issues.push('no table looks personal and none was proposed');
  const stats = {
    tables: live.tables.size,
    columns: [...live.tables.values()].reduce((n, t) => n + t.columns.length, 0),
    sampledTables,
    durationMs: Math.round(performance.now() - started),
  };
  const map = parsed?.success ? parsed.data : null;
  const report = formatDiscovery({ opts, live, detections, notFollowed, noKey, map, issues, stats });
  return { map, issues, detections, notFollowed, report, stats };
};

const formatDiscovery = (d: {
  opts: DiscoverOptions;
  live: SchemaSnapshot;
  detections: Map<string, Detection[]>;
  notFollowed: Discovery['notFollowed'];
  noKey: string[];
  map: DataMap | null;
  issues: string[];
  stats: Discovery['stats'];
}) => {
  const lines = [
    `Discovery of system "${d.opts.system.id}" (${d.opts.system.engine}): ${d.stats.tables} tables, ${d.stats.columns} columns, ` +
      `${d.stats.sampledTables} tables sampled (${d.opts.sampleSize ?? 100} rows each), ${d.stats.durationMs} ms`,
    '',
  ];
  const system = d.map?.systems[0];
  lines.push(`Proposed collections (${system?.collections.length ?? 0}):`);
  for (const c of system?.collections ?? []) {
    lines.push(`  ${c.table}  (primary key ${c.primaryKey.join(', ')}; erasure ${c.erasure?.kind})`);
    if (c.fields.length === 0)
      lines.push('    no personal columns; included because it points at a table that has some');
    for (const f of c.fields) {
      const det = d.detections.get(c.table)?.find((x) => x.column === f.column);
      const tag = f.otherPeople
        ? 'other people'
        : `${det?.confidence ?? 'review'}${f.identity ? `, identity ${f.identity.kind}` : ''}`;
      lines.push(
        `    ${f.column.padEnd(22)} ${f.category.padEnd(34)} [${tag}] ${det?.reasons.join('; ') ?? 'links to another person'}`,
      );
    }
  }
  lines.push('', `References (${system?.references.length ?? 0}):`);
  for (const r of system?.references ?? [])
    lines.push(`  ${r.from.collection}.${r.from.column} → ${r.to.collection}.${r.to.column}`);
  if (d.notFollowed.length > 0) lines.push('', 'Foreign keys not followed (review):');
  for (const n of d.notFollowed) lines.push(`  ${n.fk.table}.${n.fk.columns.join(',')} → ${n.fk.refTable}: ${n.why}`);
  if (d.noKey.length > 0)
    lines.push(
      '',
      `Personal-looking tables without a primary key, left out (add one, or map them by hand): ${d.noKey.join(', ')}`,
    );
  const untouched = [...d.live.tables.keys()].filter((t) => !system?.collections.some((c) => c.table === t));
  lines.push('', `Tables with nothing personal found (${untouched.length}): ${untouched.sort().join(', ') || '—'}`);
  if (d.issues.length > 0) lines.push('', 'The proposal is not yet a valid map:', ...d.issues.map((i) => `  ${i}`));
  lines.push(
    '',
    'Next: confirm each category; choose erasure strategies (mask, pseudonymise, delete_row) and add `retain` with its',
    'Art. 17(3) ground where the law requires keeping data (invoices: 17(3)(b)); then run the check against the database.',
  );
  return lines.join('\n');
};
