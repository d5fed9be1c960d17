/**
 * Discovery speed on a wide schema: 200 tables (a tenth of them with personal-looking columns, foreign keys
 * between neighbours, 50 rows each) in a temporary PostgreSQL database. Prints the time for introspection alone
 * and for full discovery with value sampling.
 *   node --import tsx bench/connectors/discover.ts
 */
import pg from 'pg';
import { createConnector } from '../../apps/server/src/modules/connectors/connector.factory.ts';
import { discoverDataMap } from '../../apps/server/src/modules/datamap/datamap.discover.ts';
import { createPostgresDatabase } from '../../test/support/databases.ts';

// Benchmarks print their figures to stdout (no logger: nothing personal is ever printed here).
const print = (...parts: unknown[]) => process.stdout.write(`${parts.join(' ')}\n`);

const TABLES = 200;
const ROWS = 50;

const db = await createPostgresDatabase('lawful_bench');
try {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const ddl: string[] = [];
  for (let i = 0; i < TABLES; i++) {
    const personal =
      i % 10 === 0
        ? ', email varchar(120), phone varchar(30), first_name varchar(60), street_address varchar(120)'
        : '';
    const fk = i > 0 ? `, parent_id int references t${i - 1}(id)` : '';
    ddl.push(
      `create table t${i} (id int primary key, label text, amount numeric(10,2), created_at timestamptz${personal}${fk})`,
    );
    const cols = `id, label, amount, created_at${personal ? ', email, phone, first_name, street_address' : ''}${fk ? ', parent_id' : ''}`;
    const values = Array.from({ length: ROWS }, (_, r) => {
      const p = personal
        ? `, 'user${r}@example.org', '+44 20 7946 ${String(r).padStart(4, '0')}', 'Anna', '${r + 1} High Street'`
        : '';
      return `(${r}, 'item ${r}', ${r}.50, now()${p}${fk ? `, ${r}` : ''})`;
    });
    ddl.push(`insert into t${i} (${cols}) values ${values.join(', ')}`);
  }
  await client.query(ddl.join(';\n'));
  await client.end();

  const conn = createConnector({ engine: 'postgres', url: db.url });
  let t = performance.now();
  const live = await conn.introspect();
  const introspectMs = performance.now() - t;
  t = performance.now();
  const d = await discoverDataMap(conn, {
    system: { id: 'bench', engine: 'postgres', connection: 'bench' },
    now: new Date(),
  });
  const discoverMs = performance.now() - t;
  await conn.close();
  const personalTables = [...d.detections.keys()].length;
  print(`discover: ${live.tables.size} tables, ${d.stats.columns} columns, ${live.foreignKeys.length} foreign keys`);
  print(`  introspection        ${introspectMs.toFixed(0)} ms`);
  print(
    `  discovery (sampling) ${discoverMs.toFixed(0)} ms  (${d.stats.sampledTables} tables sampled, ${personalTables} with personal columns, ${d.map?.systems[0]?.collections.length ?? 0} proposed collections)`,
  );
} finally {
  await db.drop();
}
