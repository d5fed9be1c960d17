import type { Writable } from 'node:stream';
import { and, eq, ne } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { requestTasks } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { ErasureService } from '../erasure/erasure.service.ts';
import { buildExportPackage } from '../export/export.builder.ts';
import type { ExportSection } from '../export/export.contract.ts';
import type { Sealing, SystemTaskRequest, SystemTaskRunner, TaskOutcome } from '../requests/requests.core.ts';
import type { RequestsRepo } from '../requests/requests.repo.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import type { DataMap } from './datamap.contract.ts';
import type { ExportDelivery } from './datamap.exports.ts';
import { toSubjectIdentities } from './datamap.identities.ts';
import { processingFor } from './datamap.processing.ts';
import { createRectifyRequest } from './datamap.rectify-request.ts';
import type { DataMapRepo } from './datamap.repo.ts';
import type { DataMapSession, DataMapStore } from './datamap.store.ts';
import { collectAccess } from './datamap.traverse.ts';

/** The task that stands for Lawful's own records about the person; it runs after every connected system. */
export const LAWFUL_SYSTEM = { id: 'lawful', name: 'Lawful (its own records)' } as const;

const ground = (g: string) => `Art. 17(3)(${g.slice(-1)})`;

const combine = (outcomes: TaskOutcome[]): TaskOutcome => {
  const failed = outcomes.some((o) => o.status === 'failed');
  const done = outcomes.some((o) => o.status === 'done');
  const records = outcomes.reduce((n, o) => n + (o.recordsAffected ?? 0), 0);
  const note = outcomes
    .map((o) => o.note)
    .filter(Boolean)
    .join('; ');
  return {
    status: failed ? 'failed' : done ? 'done' : 'not_applicable',
    ...(done || failed ? { recordsAffected: records } : {}),
    ...(note ? { note: note.slice(0, 2000) } : {}),
  };
};

/** Thrown to make pg-boss run the task again later; the task stays pending meanwhile. */
export class RetryLater extends Error {}

/**
 * The request engine's `SystemTaskRunner`, implemented by the data map: one task per mapped system plus one for
 * Lawful's own records. Every operation is idempotent, so a job run again after a crash ends in the same state
 * (check 66): the access package is built once per request (a half-built one is rebuilt), erasure strategies leave
 * already-erased rows alone, and shredding a key twice is a no-op.
 */
export const createDataMapRunner = (deps: {
  db: Database;
  store: DataMapStore;
  repo: DataMapRepo;
  requestsRepo: Pick<RequestsRepo, 'get'>;
  sealing: Sealing;
  exports: ExportDelivery;
  erasure: ErasureService;
  vault: Pick<Vault, 'encrypt' | 'sealForTenant'>;
  audit: Pick<AuditLog, 'append'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  clock: Clock;
  logger: Logger;
  /** Put an erased person's keyed hashes on the suppression list (default on). */
  suppressOnErasure?: boolean;
}) => {
  const { db, store, clock } = deps;

  const withSession = async <T>(tenantId: string, fn: (s: DataMapSession) => Promise<T>) => {
    const s = await store.session(tenantId);
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };

  const rectify = createRectifyRequest({ ...deps, withSession });

  /** Traverses every system, then streams the package: completeness must be known before the package starts. */
  const producePackage =
    (tenantId: string, request: SystemTaskRequest, kind: 'access' | 'portability') =>
    (out: Writable): Promise<Record<string, unknown>> =>
      withSession(tenantId, async (s) => {
        const ids = toSubjectIdentities(request.identities);
        const found = await collectAccess(s.engine.access(s.map, ids));
        const meta = await db.tenant(tenantId, (tx) =>
          processingFor(tx, { tenantId, subjectId: request.subjectId, requestId: request.id, map: s.map }),
        );
        const completeness = found.systems.map((r) => ({
          system: r.system,
          searched: r.collections.filter((c) => c.searched).map((c) => c.collection),
          rowsFound: r.collections.reduce((n, c) => n + c.rows, 0),
          status: r.status === 'failed' ? ('failed' as const) : ('ok' as const),
          ...(r.error || r.status === 'partial'
            ? {
                error: (
                  r.error ??
                  `not searched: ${r.collections
                    .filter((c) => !c.searched)
                    .map((c) => `${c.collection} (${c.problem ?? 'unavailable'})`)
                    .join(', ')}`
                ).slice(0, 2000),
              }
            : {}),
        }));
        const sections: ExportSection[] = [];
        for (const sys of s.map.systems) {
          for (const c of sys.collections) {
            const records = found.data[sys.id]?.[c.name];
            if (!records || records.length === 0) continue;
            sections.push({
              system: sys.id,
              collection: c.name,
              fields: c.fields.map((f) => ({
                name: f.column,
                category: f.category,
                portable: f.portability,
                ...(f.otherPeople ? { description: "another person's data, redacted (Art. 15(4))" } : {}),
              })),
              rows: (async function* () {
                for (const r of records) yield Object.fromEntries(r.fields.map((f) => [f.column, f.value]));
              })(),
            });
          }
        }
        const summary = await buildExportPackage(
          {
            kind,
            subjectRef: request.subjectId ?? request.id,
            generatedAt: clock.now().toISOString(),
            ...meta,
            sections,
            completeness,
          },
          out,
        );
        return {
          dataMapVersion: s.version,
          completeness,
          collections: summary.collections.map((c) => ({ system: c.system, collection: c.collection, rows: c.rows })),
          excluded: summary.excluded,
        };
      });

  const access = async (
    tenantId: string,
    request: SystemTaskRequest,
    systemId: string,
    kind: 'access' | 'portability',
  ): Promise<TaskOutcome> => {
    const row = await deps.exports.ensure(
      { tenantId, requestId: request.id, subjectId: request.subjectId, kind },
      producePackage(tenantId, request, kind),
    );
    if (systemId === LAWFUL_SYSTEM.id)
      return { status: 'done', note: `${kind} package ${row.id}: Lawful's consents, bases and requests included` };
    const completeness = (row.summary?.completeness ?? []) as {
      system: string;
      rowsFound: number;
      status: string;
      error?: string;
    }[];
    const mine = completeness.find((c) => c.system === systemId);
    if (!mine) return { status: 'not_applicable', note: `system ${systemId} is not in the data map the package used` };
    if (mine.status === 'failed')
      return {
        status: 'failed',
        recordsAffected: 0,
        note: `${kind} package ${row.id}: ${mine.error ?? 'search failed'}`,
      };
    return {
      status: 'done',
      recordsAffected: mine.rowsFound,
      note: `${kind} package ${row.id}${mine.error ? `; ${mine.error}` : ''}`,
    };
  };

  const eraseSystem = (tenantId: string, request: SystemTaskRequest, systemId: string): Promise<TaskOutcome> =>
    withSession(tenantId, async (s) => {
      const sys = s.map.systems.find((x) => x.id === systemId);
      if (!sys) return { status: 'not_applicable', note: `system ${systemId} is not in data map version ${s.version}` };
      const ids = toSubjectIdentities(request.identities);
      if (ids.length === 0) return { status: 'failed', note: 'the request carries no identifier to search by' };
      const one: DataMap = { ...s.map, systems: [sys] };
      const report = await s.engine.erase(one, ids);
      const r = report.systems[0]!;
      const deleted = r.collections.reduce((n, c) => n + c.deleted, 0);
      const updated = r.collections.reduce((n, c) => n + c.updated, 0);
      // Art. 17(3) per collection: whole rows kept, or single fields kept inside otherwise erased rows.
      const kept = r.collections.flatMap((c) => {
        const rows =
          c.retained && c.matched > 0
            ? [`${c.collection} rows (${ground(c.retained.ground)}, ${c.retained.period})`]
            : [];
        const fields =
          c.matched > 0
            ? c.fields
                .filter((f) => f.strategy === 'retain' && f.ground)
                .map((f) => `${c.collection}.${f.column} (${ground(f.ground!)}, ${f.period})`)
            : [];
        return [...rows, ...fields];
      });
      const verify = r.status === 'done' ? await s.engine.verify(one, ids) : null;
      await db.tenant(tenantId, (tx) =>
        deps.audit.append(tx, tenantId, {
          actor: 'lawful',
          action: 'datamap.erase',
          target: request.id,
          subjectId: request.subjectId,
          details: {
            system: systemId,
            dataMapVersion: s.version,
            status: r.status,
            deleted,
            updated,
            clean: verify?.clean ?? false,
            residue: verify?.residue.length ?? 0,
          },
        }),
      );
      if (r.status !== 'done')
        return { status: 'failed', recordsAffected: deleted + updated, note: r.error ?? r.status };
      const keptNote = kept.length > 0 ? `; kept under ${kept.join(', ')}` : '';
      if (!verify!.clean) {
        const residue = verify!.residue.map((x) => `${x.collection}.${x.column} (${x.where}, ${x.rows} rows)`);
        const failedSystems = verify!.systems.filter((x) => x.status === 'failed').map((x) => x.error);
        return {
          status: 'failed',
          recordsAffected: deleted + updated,
          note: `verification found residue: ${[...residue, ...failedSystems].join(', ')}${keptNote}`,
        };
      }
      return {
        status: 'done',
        recordsAffected: deleted + updated,
        note: `deleted ${deleted}, anonymised ${updated} rows; verification clean${keptNote}`,
      };
    });

  const eraseLawful = async (tenantId: string, request: SystemTaskRequest): Promise<TaskOutcome> => {
    // The identities other tasks search by are sealed under the subject's key: shred it only once they are done.
    const waiting = await db.tenant(tenantId, (tx) =>
      tx
        .select({ id: requestTasks.id })
        .from(requestTasks)
        .where(
          and(
            eq(requestTasks.tenantId, tenantId),
            eq(requestTasks.requestId, request.id),
            eq(requestTasks.kind, 'system'),
            eq(requestTasks.state, 'pending'),
            ne(requestTasks.targetId, LAWFUL_SYSTEM.id),
          ),
        ),
    );
    if (waiting.length > 0)
      throw new RetryLater(`${waiting.length} system task(s) still running; Lawful's records wait`);
    if (!request.subjectId) return { status: 'not_applicable', note: 'no subject record in Lawful for this request' };
    const r = await deps.erasure.eraseLawfulData(tenantId, request.subjectId, {
      requestId: request.id,
      suppress: deps.suppressOnErasure ?? true,
    });
    return {
      status: 'done',
      recordsAffected: r.identifiersRemoved,
      note: `subject key ${r.keyDestroyed ? 'destroyed' : 'already destroyed'}; ${r.identifiersRemoved} identifiers removed; ${r.exportsPurged} packages deleted; suppression entries ${r.suppressed}; pseudonymous request, audit and consent proof kept (Art. 17(3)(b), (e))`,
    };
  };

  const rectified = async (tenantId: string, request: SystemTaskRequest, systemId: string): Promise<TaskOutcome> => {
    if (systemId === LAWFUL_SYSTEM.id) return { status: 'not_applicable' };
    const rows = await db.tenant(tenantId, (tx) => deps.repo.rectificationsOf(tx, tenantId, request.id));
    const mine = rows.filter((r) => r.system === systemId);
    // Corrections already applied here (by staff, or by an earlier run of this task): report them, never twice.
    if (mine.length > 0)
      return { status: 'done', recordsAffected: mine.length, note: `${mine.length} value(s) corrected` };
    // Given with the request: applied in this system now (a re-run after nothing matched finds nothing again).
    if (request.corrections?.length) {
      const r = await rectify(tenantId, request.id, request.corrections, 'lawful', { systemId });
      const sys = r.systems[0];
      if (!sys) return { status: 'not_applicable', note: `system ${systemId} is not in the data map` };
      if (sys.status === 'failed') return { status: 'failed', note: sys.error ?? 'rectification failed' };
      return { status: 'done', recordsAffected: sys.changed.length, note: `${sys.changed.length} value(s) corrected` };
    }
    // Staff applied the corrections everywhere and nothing of them lives in this system.
    if (rows.length > 0) return { status: 'done', recordsAffected: 0, note: '0 value(s) corrected' };
    return {
      status: 'failed',
      note: 'no correction given yet: POST /v1/datamap/rectify with the request id and the corrected values',
    };
  };

  const runner: SystemTaskRunner = {
    systemsFor: async (tenantId) => {
      const current = await store.current(tenantId);
      // Without a data map there is nothing to run: requests go to recipients and staff, as before.
      if (!current) return [];
      return [
        ...current.map.systems.map((s) => ({ id: s.id, name: s.description ? `${s.id}: ${s.description}` : s.id })),
        { ...LAWFUL_SYSTEM },
      ];
    },
    run: async (tenantId, request, systemId) => {
      const outcomes: TaskOutcome[] = [];
      for (const type of request.types) {
        if (type === 'access' || type === 'portability') outcomes.push(await access(tenantId, request, systemId, type));
        else if (type === 'erasure')
          outcomes.push(
            systemId === LAWFUL_SYSTEM.id
              ? await eraseLawful(tenantId, request)
              : await eraseSystem(tenantId, request, systemId),
          );
        else if (type === 'rectification') outcomes.push(await rectified(tenantId, request, systemId));
        else
          outcomes.push({ status: 'not_applicable', note: `${type} is recorded in Lawful, not in connected systems` });
      }
      return combine(outcomes);
    },
    deliver: (tx, tenantId, requestId, kind) => deps.exports.linkForRequest(tx, tenantId, requestId, kind),
  };

  return { runner, rectify, producePackage };
};
export type DataMapRunner = ReturnType<typeof createDataMapRunner>;
