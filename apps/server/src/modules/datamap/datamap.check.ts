import type { ColumnInfo, Connector, SchemaSnapshot, TableInfo } from '../connectors/connector.ts';
import type { DataCollection, DataMap, DataSystem } from './datamap.contract.ts';
import { detectColumn, loadNameSet } from './datamap.detect.ts';
import { type ConnectorLookup, fieldStrategy } from './datamap.model.ts';

export type CheckIssue = {
  severity: 'error' | 'warning';
  system: string;
  /** Where in the map (or the database, for unmapped columns): `customer.fields.email`. */
  path: string;
  message: string;
  hint?: string;
};

export type CheckResult = {
  /** No errors: the map can drive access and erasure. Warnings deserve a look. */
  ok: boolean;
  issues: CheckIssue[];
  systems: { system: string; status: 'checked' | 'unreachable'; error?: string }[];
  report: string;
};

export type CheckOptions = { connectorFor: ConnectorLookup; now: Date; sampleSize?: number };

const TEXT_CATEGORIES =
  /^user\.(contact|name|account\.username|device\.ip_address|government_id|financial\.(payment_card|bank_account))/;

const didYouMean = (name: string, candidates: readonly string[]) => {
  const simple = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const hit = candidates.find((c) => simple(c) === simple(name));
  return hit ? `did you mean "${hit}"?` : undefined;
};

const checkCollection = (
  s: DataSystem,
  c: DataCollection,
  t: TableInfo,
  live: SchemaSnapshot,
  add: (i: Omit<CheckIssue, 'system'>) => void,
) => {
  const col = (name: string) => t.columns.find((x) => x.name === name);
  const missing = (name: string, path: string) => {
    if (col(name)) return false;
    add({
      severity: 'error',
      path,
      message: `column "${name}" does not exist in table ${t.name}`,
      hint: didYouMean(
        name,
        t.columns.map((x) => x.name),
      ),
    });
    return true;
  };
  for (const [i, k] of c.primaryKey.entries()) missing(k, `${c.name}.primaryKey.${i}`);
  if (t.primaryKey.length > 0 && t.primaryKey.join(',') !== c.primaryKey.join(',')) {
    add({
      severity: 'warning',
      path: `${c.name}.primaryKey`,
      message: `the table's primary key is (${t.primaryKey.join(', ')}), the map says (${c.primaryKey.join(', ')})`,
    });
  }
  for (const f of c.fields) {
    const path = `${c.name}.fields.${f.column}`;
    if (missing(f.column, path)) continue;
    const info = col(f.column)!;
    if (
      TEXT_CATEGORIES.test(f.category) &&
      info.kind !== 'text' &&
      !(f.identity?.kind === 'user_id' || f.identity?.kind === 'external_id')
    ) {
      add({
        severity: 'error',
        path,
        message: `type mismatch: ${f.category} expects text, but ${t.name}.${f.column} is ${info.dataType}`,
      });
    }
    if (f.category === 'user.demographic.date_of_birth' && info.kind !== 'temporal' && info.kind !== 'text') {
      add({ severity: 'error', path, message: `type mismatch: a date of birth in a ${info.dataType} column` });
    }
    if (f.otherPeople) continue;
    const st = fieldStrategy(c, f);
    if (c.erasure?.kind === 'delete_row' || !st) continue;
    if (st.kind === 'set_null' && !info.nullable) {
      add({
        severity: 'error',
        path,
        message: `set_null on NOT NULL column ${t.name}.${f.column} would fail`,
        hint: 'use mask (with {pk} if the column is unique) or delete the row',
      });
    }
    if ((st.kind === 'mask' || st.kind === 'pseudonymise') && info.kind !== 'text') {
      add({
        severity: 'error',
        path,
        message: `${st.kind} writes text, but ${t.name}.${f.column} is ${info.dataType}`,
        hint: 'use set_null or retain',
      });
    }
    if (
      st.kind === 'mask' &&
      info.maxLength !== null &&
      st.pattern.replace('{pk}', '0000000000').length > info.maxLength
    ) {
      add({
        severity: 'warning',
        path,
        message: `the mask may not fit ${t.name}.${f.column} (${info.maxLength} characters) for long keys`,
      });
    }
    if (st.kind === 'pseudonymise' && info.maxLength !== null && st.length + 4 > info.maxLength) {
      add({
        severity: 'warning',
        path,
        message: `pseudonyms are cut to ${info.maxLength} characters to fit the column, which makes collisions likelier`,
      });
    }
  }
  if (
    c.retention &&
    !missing(c.retention.column, `${c.name}.retention.column`) &&
    col(c.retention.column)!.kind !== 'temporal'
  ) {
    add({
      severity: 'warning',
      path: `${c.name}.retention.column`,
      message: `retention counts from ${c.retention.column}, which is not a date/time column`,
    });
  }
  for (const [i, ft] of c.freeText.entries()) missing(ft, `${c.name}.freeText.${i}`);
  if (c.erasure?.kind === 'delete_row') {
    const mappedDeleted = new Set(s.collections.filter((x) => x.erasure?.kind === 'delete_row').map((x) => x.table));
    for (const fk of live.foreignKeys.filter(
      (k) => k.refTable === t.name && k.table !== t.name && !mappedDeleted.has(k.table),
    )) {
      add({
        severity: 'error',
        path: `${c.name}.erasure`,
        message: `rows of ${t.name} are deleted, but ${fk.table}.${fk.columns.join(',')} references them (${fk.name}) and those rows are not deleted: erasure would fail on the constraint`,
        hint: `map ${fk.table} too, or anonymise ${t.name} instead of deleting`,
      });
    }
  }
};

const checkReferences = (s: DataSystem, live: SchemaSnapshot, add: (i: Omit<CheckIssue, 'system'>) => void) => {
  const byName = new Map(s.collections.map((c) => [c.name, c]));
  s.references.forEach((r, i) => {
    const ends = [r.from, r.to].map((end) => {
      const t = live.tables.get(byName.get(end.collection)?.table ?? '');
      const info = t?.columns.find((x) => x.name === end.column);
      if (t && !info)
        add({
          severity: 'error',
          path: `references.${i}`,
          message: `column "${end.column}" does not exist in table ${t.name}`,
        });
      return { t, info };
    });
    const [from, to] = ends as [{ t?: TableInfo; info?: ColumnInfo }, { t?: TableInfo; info?: ColumnInfo }];
    if (!from.info || !to.info) return;
    if (from.info.kind !== to.info.kind) {
      add({
        severity: 'warning',
        path: `references.${i}`,
        message: `${from.t!.name}.${from.info.name} is ${from.info.dataType} but ${to.t!.name}.${to.info.name} is ${to.info.dataType}`,
      });
    }
    const fk = live.foreignKeys.some(
      (k) =>
        k.table === from.t!.name &&
        k.refTable === to.t!.name &&
        k.columns.join() === r.from.column &&
        k.refColumns.join() === r.to.column,
    );
    if (r.declared && !fk)
      add({
        severity: 'warning',
        path: `references.${i}`,
        message: `no foreign key backs ${from.t!.name}.${r.from.column} → ${to.t!.name}.${r.to.column}`,
        hint: 'set declared: false if that is expected',
      });
  });
};

const checkUnmapped = async (
  conn: Connector,
  s: DataSystem,
  live: SchemaSnapshot,
  opts: CheckOptions,
  add: (i: Omit<CheckIssue, 'system'>) => void,
) => {
  const names = await loadNameSet();
  const mapped = new Map(s.collections.map((c) => [c.table, c]));
  for (const t of live.tables.values()) {
    const c = mapped.get(t.name);
    const known = new Set([
      ...(c?.primaryKey ?? t.primaryKey),
      ...(c?.fields.map((f) => f.column) ?? []),
      ...(c?.freeText ?? []),
    ]);
    const candidates = t.columns.filter((x) => !known.has(x.name) && !t.primaryKey.includes(x.name));
    if (candidates.length === 0) continue;
    const sampled = candidates.filter((x) => x.kind === 'text' || x.kind === 'temporal');
    const rows =
      sampled.length > 0
        ? await conn.sample(
            t.name,
            sampled.map((x) => x.name),
            opts.sampleSize ?? 50,
          )
        : [];
    for (const x of candidates) {
      const d = detectColumn(
        x,
        rows.map((r) => r[x.name]),
        names,
        opts.now,
      );
      if (!d) continue;
      add({
        severity: 'warning',
        path: `${c ? c.name : t.name}.${x.name}`,
        message: `${t.name}.${x.name} looks personal (${d.category}) but is not in the map: ${d.reasons.join('; ')}`,
        hint: c
          ? `add it to collection "${c.name}" with an erasure strategy`
          : `add table ${t.name} as a collection, or confirm it holds no personal data`,
      });
    }
  }
};

/**
 * Validates a map against the live databases: missing tables and columns (with "did you mean"), type mismatches,
 * strategies that cannot work on a column (set_null on NOT NULL), deletes a foreign key would block, and columns
 * that look personal but are not mapped.
 * @example const result = await checkDataMap(map, { connectorFor, now: clock.now() }); console.log(result.report);
 */
export const checkDataMap = async (map: DataMap, opts: CheckOptions): Promise<CheckResult> => {
  const issues: CheckIssue[] = [];
  const systems: CheckResult['systems'] = [];
  for (const s of map.systems) {
    const add = (i: Omit<CheckIssue, 'system'>) =>
      issues.push({ system: s.id, ...(i.hint ? i : { ...i, hint: undefined }) });
    try {
      const conn = await opts.connectorFor(s);
      const live = await conn.introspect();
      for (const c of s.collections) {
        const t = live.tables.get(c.table);
        if (t) checkCollection(s, c, t, live, add);
        else
          add({
            severity: 'error',
            path: `${c.name}.table`,
            message: `table "${c.table}" does not exist`,
            hint: didYouMean(c.table, [...live.tables.keys()]),
          });
      }
      checkReferences(s, live, add);
      await checkUnmapped(conn, s, live, opts, add);
      systems.push({ system: s.id, status: 'checked' });
    } catch (err) {
      systems.push({ system: s.id, status: 'unreachable', error: err instanceof Error ? err.message : String(err) });
    }
  }
  const ok = systems.every((s) => s.status === 'checked') && !issues.some((i) => i.severity === 'error');
  return { ok, issues, systems, report: formatCheck(ok, issues, systems) };
};

const formatCheck = (ok: boolean, issues: CheckIssue[], systems: CheckResult['systems']) => {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const lines = [`Data map check: ${ok ? 'OK' : 'FAILED'} — ${errors} error(s), ${issues.length - errors} warning(s)`];
  for (const s of systems.filter((x) => x.status === 'unreachable'))
    lines.push(`ERROR   ${s.system}: cannot reach the database: ${s.error}`);
  for (const i of [...issues].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1))) {
    lines.push(
      `${i.severity === 'error' ? 'ERROR  ' : 'WARNING'} ${i.system}/${i.path}: ${i.message}${i.hint ? ` — ${i.hint}` : ''}`,
    );
  }
  return lines.join('\n');
};
