import { createHash } from 'node:crypto';
import type { DataMapDiscover } from '@lawful/contract';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import { type ConnectionConfig, createConnector } from '../connectors/connector.factory.ts';
import type { Connector, Engine } from '../connectors/connector.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { CheckResult } from './datamap.check.ts';
import type { DataMap, DataSystem } from './datamap.contract.ts';
import { discoverDataMap } from './datamap.discover.ts';
import { loadDataMap } from './datamap.model.ts';
import type { ConnectionRow, DataMapRepo } from './datamap.repo.ts';
import { createDataMapService, type DataMapService } from './datamap.service.ts';

export type StoredDataMap = { version: number; id: string; createdAt: string; createdBy: string; map: DataMap };
export type ConnectionView = {
  name: string;
  engine: Engine;
  schema: string | null;
  maxConnections: number | null;
  createdAt: string;
  updatedAt: string;
};
export type ConnectionInput = { engine?: Engine; url?: string; schema?: string | null; maxConnections?: number | null };

/** An engine bound to one tenant's connections; close() ends every pool it opened. */
export type DataMapSession = { engine: DataMapService; map: DataMap; version: number; close(): Promise<void> };

const URL_SCHEMES: Record<Engine, string[]> = { postgres: ['postgres:', 'postgresql:'], mysql: ['mysql:', 'mariadb:'] };

/** Checks a connection URL without ever echoing it: the message names the problem, never the value. */
const checkUrl = (engine: Engine, url: string) => {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the connection URL is not a valid URL', { field: 'url' });
  }
  if (!URL_SCHEMES[engine].includes(u.protocol)) {
    throw new AppError('VALIDATION_FAILED', `a ${engine} connection URL starts with ${URL_SCHEMES[engine][0]}//`, {
      field: 'url',
    });
  }
  if (!u.hostname) throw new AppError('VALIDATION_FAILED', 'the connection URL names no host', { field: 'url' });
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const toView = (r: ConnectionRow): ConnectionView => ({
  name: r.name,
  engine: r.engine,
  schema: r.schema,
  maxConnections: r.maxConnections,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});

/**
 * A tenant's data map (versioned) and its connections (sealed), and the engine bound to both. Connection URLs are
 * opened only here, only for the time an operation runs, and never logged, returned or put in an error message.
 * @example
 * const s = await store.session(tenantId);
 * try { await s.engine.erase(s.map, ids); } finally { await s.close(); }
 */
export const createDataMapStore = (deps: {
  db: Database;
  repo: DataMapRepo;
  vault: Pick<Vault, 'sealForTenant' | 'openForTenant' | 'tenantDerivedKey'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** Tests and the demo reach connectors their own way; default: createConnector. */
  connect?: (cfg: ConnectionConfig) => Connector;
}) => {
  const { db, repo, vault, audit, clock } = deps;
  const connect = deps.connect ?? createConnector;

  const toStored = (r: { version: number; id: string; createdAt: Date; createdBy: string; document: DataMap }) => ({
    version: r.version,
    id: r.id,
    createdAt: r.createdAt.toISOString(),
    createdBy: r.createdBy,
    map: r.document,
  });

  const current = async (q: Queryable, tenantId: string): Promise<StoredDataMap | null> => {
    const row = await repo.latest(q, tenantId);
    return row ? toStored(row) : null;
  };

  /** The key pseudonymise strategies use: derived from the tenant key, the same for every system and request. */
  const pseudonymKey = (q: Queryable, tenantId: string) => vault.tenantDerivedKey(q, tenantId, 'datamap-pseudonyms');

  const session = async (tenantId: string, opts: { version?: number } = {}): Promise<DataMapSession> => {
    const loaded = await db.tenant(tenantId, async (tx) => {
      const row = opts.version ? await repo.version(tx, tenantId, opts.version) : await repo.latest(tx, tenantId);
      if (!row) return null;
      const conns = new Map<string, ConnectionConfig>();
      for (const c of await repo.connections(tx, tenantId)) {
        const url = await vault.openForTenant(tx, tenantId, `datamap-connection:${c.name}`, c.urlSealed);
        conns.set(c.name, {
          engine: c.engine,
          url,
          schema: c.schema ?? undefined,
          maxConnections: c.maxConnections ?? undefined,
        });
      }
      return { row, conns, key: await pseudonymKey(tx, tenantId) };
    });
    if (!loaded) throw new AppError('NOT_FOUND', 'this tenant has no data map yet: PUT /v1/datamap first');
    const open = new Map<string, Connector>();
    const connectorFor = (s: DataSystem): Connector => {
      const hit = open.get(s.connection);
      if (hit) return hit;
      const cfg = loaded.conns.get(s.connection);
      if (!cfg) {
        throw new AppError(
          'NOT_FOUND',
          `system "${s.id}" uses connection "${s.connection}", which is not set: lawful datamap connect ${s.connection} <url> --tenant <tenant>`,
        );
      }
      if (cfg.engine !== s.engine) {
        throw new AppError(
          'RULE_VIOLATION',
          `system "${s.id}" is ${s.engine} but connection "${s.connection}" is ${cfg.engine}`,
        );
      }
      const c = connect(cfg);
      open.set(s.connection, c);
      return c;
    };
    return {
      engine: createDataMapService({ connectorFor, clock, pseudonymKey: loaded.key }),
      map: loaded.row.document,
      version: loaded.row.version,
      async close() {
        await Promise.all([...open.values()].map((c) => c.close().catch(() => undefined)));
        open.clear();
      },
    };
  };

  return {
    current: (tenantId: string) => db.tenant(tenantId, (tx) => current(tx, tenantId)),
    get: (tenantId: string, version?: number) =>
      db.tenant(tenantId, async (tx) => {
        const row = version ? await repo.version(tx, tenantId, version) : await repo.latest(tx, tenantId);
        if (!row)
          throw new AppError('NOT_FOUND', version ? `data map version ${version} not found` : 'no data map yet');
        return toStored(row);
      }),
    versions: (tenantId: string) =>
      db.tenant(tenantId, async (tx) =>
        (await repo.versions(tx, tenantId)).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
      ),
    /**
     * Validates and stores a new version (YAML or JSON). An upload identical to the current version changes nothing.
     * Every problem comes back at once (VALIDATION_FAILED with `issues`), and nothing is written.
     */
    put: (tenantId: string, text: string, actor: string) => {
      const map = loadDataMap(text);
      const digest = sha256(JSON.stringify(map));
      return db.tenant(tenantId, async (tx) => {
        const latest = await repo.latest(tx, tenantId);
        if (latest?.sha256 === digest) return { created: false, ...toStored(latest) };
        const now = clock.now();
        const row = {
          tenantId,
          version: (latest?.version ?? 0) + 1,
          id: newId('datamap', now.getTime()),
          document: map,
          sha256: digest,
          createdBy: actor,
          createdAt: now,
        };
        await repo.insertVersion(tx, row);
        await audit.append(tx, tenantId, {
          actor,
          action: 'datamap.update',
          target: row.id,
          details: {
            version: row.version,
            revision: map.revision,
            systems: map.systems.map((s) => s.id),
            collections: map.systems.reduce((n, s) => n + s.collections.length, 0),
          },
        });
        return { created: true, ...toStored(row) };
      });
    },
    connections: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => (await repo.connections(tx, tenantId)).map(toView)),
    /**
     * Creates or changes a named connection. Creating needs engine and url; changing may give only what changes.
     * The URL is sealed under the tenant key at once and never comes back out of this API.
     */
    setConnection: (tenantId: string, name: string, input: ConnectionInput, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const existing = await repo.connection(tx, tenantId, name);
        if (!existing && (!input.url || !input.engine)) {
          throw new AppError('NOT_FOUND', `no connection named ${name}: give engine and url to create it`, {
            field: input.engine ? 'url' : 'engine',
          });
        }
        const engine = input.engine ?? existing!.engine;
        if (input.url) checkUrl(engine, input.url);
        if (existing && input.engine && input.engine !== existing.engine && !input.url) {
          throw new AppError('VALIDATION_FAILED', 'changing the engine needs the new url too', { field: 'url' });
        }
        const now = clock.now();
        const row: ConnectionRow = {
          tenantId,
          name,
          engine,
          urlSealed: input.url
            ? await vault.sealForTenant(tx, tenantId, `datamap-connection:${name}`, input.url)
            : existing!.urlSealed,
          schema: input.schema === undefined ? (existing?.schema ?? null) : input.schema,
          maxConnections:
            input.maxConnections === undefined ? (existing?.maxConnections ?? null) : input.maxConnections,
          createdAt: existing?.createdAt ?? now,
          updatedAt: now,
        };
        await repo.upsertConnection(tx, row);
        await audit.append(tx, tenantId, {
          actor,
          action: existing ? 'datamap.connection.update' : 'datamap.connection.create',
          target: name,
          details: { engine, urlChanged: input.url !== undefined },
        });
        return toView(row);
      }),
    session,
    /** Runs the check against the live systems of the current map (unreachable systems are reported, not thrown). */
    check: async (tenantId: string, actor: string): Promise<CheckResult & { version: number }> => {
      const s = await session(tenantId);
      try {
        const result = await s.engine.check(s.map);
        await db.tenant(tenantId, (tx) =>
          audit.append(tx, tenantId, {
            actor,
            action: 'datamap.check',
            details: {
              version: s.version,
              ok: result.ok,
              errors: result.issues.filter((i) => i.severity === 'error').length,
              warnings: result.issues.filter((i) => i.severity === 'warning').length,
            },
          }),
        );
        return { ...result, version: s.version };
      } finally {
        await s.close();
      }
    },
    /**
     * Proposes a map from a stored connection (schema and a few sample rows), for a person to review; nothing is
     * stored. The database is someone's production system: a driver error is reported by its code, never its text.
     */
    discover: async (tenantId: string, input: DataMapDiscover, actor: string) => {
      const cfg = await db.tenant(tenantId, async (tx) => {
        const row = await repo.connection(tx, tenantId, input.connection);
        if (!row) throw new AppError('NOT_FOUND', `no connection named ${input.connection}`, { field: 'connection' });
        const url = await vault.openForTenant(tx, tenantId, `datamap-connection:${row.name}`, row.urlSealed);
        return { engine: row.engine, url, schema: row.schema ?? undefined };
      });
      const system =
        input.system ??
        input.connection
          .toLowerCase()
          .replace(/[^a-z0-9_-]/g, '_')
          .replace(/^[^a-z]/, 's');
      const connector = connect({ ...cfg, maxConnections: 2 });
      try {
        const d = await discoverDataMap(connector, {
          system: { id: system.slice(0, 63), engine: cfg.engine, connection: input.connection },
          now: clock.now(),
          sampleSize: input.sampleSize,
        }).catch((e: unknown) => {
          throw new AppError(
            'UNAVAILABLE',
            `could not read connection ${input.connection} (${(e as { code?: string }).code ?? 'error'}): check that the database runs and the user may read its schema`,
            { field: 'connection' },
          );
        });
        await db.tenant(tenantId, (tx) =>
          audit.append(tx, tenantId, {
            actor,
            action: 'datamap.discover',
            target: input.connection,
            details: { tables: d.stats.tables, proposed: d.map?.systems[0]?.collections.length ?? 0 },
          }),
        );
        return {
          map: d.map,
          issues: d.issues,
          detections: [...d.detections].flatMap(([table, ds]) =>
            ds.map((x) => ({
              table,
              column: x.column,
              category: x.category,
              identity: x.identity,
              confidence: x.confidence,
              reasons: x.reasons,
            })),
          ),
          notFollowed: d.notFollowed.map((n) => ({
            table: n.fk.table,
            columns: n.fk.columns,
            refTable: n.fk.refTable,
            why: n.why,
          })),
          stats: d.stats,
          report: d.report,
        };
      } finally {
        await connector.close().catch(() => undefined);
      }
    },
  };
};
export type DataMapStore = ReturnType<typeof createDataMapStore>;
