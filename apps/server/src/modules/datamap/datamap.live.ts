import type { Connector, SchemaSnapshot, Transaction } from '../connectors/connector.ts';
import type { DataSystem } from './datamap.contract.ts';

/** Snapshots kept, one per (database, table set); the oldest goes first. A snapshot is a few kB. */
const LIMIT = 256;
const cache = new Map<string, SchemaSnapshot>();

/** The tables a system maps, sorted, so the same map (whatever its version or order) finds the same entry. */
export const systemTables = (s: DataSystem) => [...new Set(s.collections.map((c) => c.table))].sort();

/**
 * The live schema of a system's tables, as seen from inside `tx`. The first call per (database, table set) reads
 * it in one catalogue query; later calls run one cheap fingerprint query and read it again only when the schema
 * changed (a column dropped, a type or key altered, a table gone). So every erasure still checks the map against
 * the database as it is at that moment, and a map that no longer matches is refused, not half-applied.
 * Snapshots hold no personal data (names and types of columns only) and are shared read-only: callers must not
 * change them.
 * @example const live = await liveSchema(connector, tx, systemTables(system));
 */
export const liveSchema = async (
  connector: Pick<Connector, 'target'>,
  tx: Pick<Transaction, 'introspect' | 'schemaFingerprint'>,
  tables: readonly string[],
): Promise<SchemaSnapshot> => {
  const key = `${connector.target}\0${tables.join('\0')}`;
  const known = cache.get(key);
  if (known && (await tx.schemaFingerprint(tables)) === known.fingerprint) return known;
  const live = await tx.introspect(tables);
  cache.delete(key);
  cache.set(key, live);
  if (cache.size > LIMIT) cache.delete(cache.keys().next().value!);
  return live;
};
