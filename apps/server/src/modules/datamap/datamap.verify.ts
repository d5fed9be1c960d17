import type { Condition, Transaction } from '../connectors/connector.ts';
import type { DataCollection, DataMap, DataSystem, LegalGround, SubjectIdentity } from './datamap.contract.ts';
import { liveSchema, systemTables } from './datamap.live.ts';
import {
  type ConnectorLookup,
  fieldStrategy,
  identityConditions,
  missingInLive,
  normalisedIdentity,
  scrubError,
} from './datamap.model.ts';

export type ResidueHit = {
  system: string;
  collection: string;
  column: string;
  /** identity: a mapped identity column still holds the identifier · free_text: it appears inside text. */
  where: 'identity' | 'free_text';
  rows: number;
};

export type RetainedHit = ResidueHit & { ground: LegalGround; period: string };

export type VerificationReport = {
  /** True when every system was scanned and no identifier remains outside what is retained on a legal ground. */
  clean: boolean;
  residue: ResidueHit[];
  retained: RetainedHit[];
  systems: { system: string; status: 'scanned' | 'failed'; error?: string }[];
};

// Short identifiers (a user id of "12") would "appear" in unrelated text; only distinctive ones are searched there.
const MIN_FREE_TEXT_LENGTH = 5;

/** Needles searched inside free text: the value as given and normalised, lowercased because the match is. */
const freeTextNeedles = (identities: readonly SubjectIdentity[]) => {
  const out = new Set<string>();
  for (const id of identities) {
    if (id.kind === 'user_id') continue;
    for (const v of [id.value.trim().toLowerCase(), normalisedIdentity(id).toLowerCase()]) {
      if (v.length >= MIN_FREE_TEXT_LENGTH) out.add(v);
    }
  }
  return [...out];
};

const countRows = async (tx: Transaction, c: DataCollection, anyOf: Condition[]) => {
  let n = 0;
  for await (const page of tx.select({ table: c.table, columns: c.primaryKey, key: c.primaryKey, anyOf }))
    n += page.length;
  return n;
};

const scanSystem = async (
  s: DataSystem,
  identities: readonly SubjectIdentity[],
  connectorFor: ConnectorLookup,
  out: VerificationReport,
) => {
  let tx: Transaction | undefined;
  try {
    const connector = await connectorFor(s);
    tx = await connector.begin('read');
    const live = await liveSchema(connector, tx, systemTables(s));
    const problems = s.collections.map((c) => missingInLive(s, c, live)).filter((p) => p !== null);
    if (problems.length > 0) throw new Error(`map does not match the database: ${problems.join('; ')}`);
    for (const c of s.collections) {
      for (const f of c.fields.filter((x) => x.identity)) {
        // Searching one column at a time tells the report exactly where residue sits.
        const anyOf = identityConditions({ ...c, fields: [f] }, identities, live);
        if (anyOf.length === 0) continue;
        const rows = await countRows(tx, c, anyOf);
        if (rows === 0) continue;
        const hit: ResidueHit = { system: s.id, collection: c.name, column: f.column, where: 'identity', rows };
        const strategy = c.erasure?.kind === 'delete_row' ? c.erasure : fieldStrategy(c, f);
        if (strategy?.kind === 'retain')
          out.retained.push({ ...hit, ground: strategy.ground, period: strategy.period });
        else out.residue.push(hit);
      }
      const needles = freeTextNeedles(identities);
      for (const column of c.freeText) {
        if (needles.length === 0) break;
        const rows = await countRows(
          tx,
          c,
          needles.map((value) => ({ op: 'contains_ci', column, value })),
        );
        if (rows > 0) out.residue.push({ system: s.id, collection: c.name, column, where: 'free_text', rows });
      }
    }
    await tx.commit();
    out.systems.push({ system: s.id, status: 'scanned' });
  } catch (err) {
    await tx?.rollback().catch(() => undefined);
    out.systems.push({ system: s.id, status: 'failed', error: scrubError(err, identities) });
  }
};

/**
 * The residue scan after erasure (check 46): every mapped identity column and every configured free-text column,
 * in every system, searched for the subject's identifiers as given and normalised (lowercased email, digits-only
 * phone). Hits in fields retained under Art. 17(3) are listed apart, with their ground; anything else is residue.
 * @example const v = await verifyErasure(map, identities, { connectorFor }); if (!v.clean) escalate(v.residue);
 */
export const verifyErasure = async (
  map: DataMap,
  identities: readonly SubjectIdentity[],
  opts: { connectorFor: ConnectorLookup },
): Promise<VerificationReport> => {
  const out: VerificationReport = { clean: false, residue: [], retained: [], systems: [] };
  for (const s of map.systems) await scanSystem(s, identities, opts.connectorFor, out);
  out.clean = out.residue.length === 0 && out.systems.every((s) => s.status === 'scanned');
  return out;
};
