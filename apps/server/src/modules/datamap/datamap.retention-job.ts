import type { DataMapRetentionReport } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import { dataMapVersions } from '../../db/schema/index.ts';
import type { Logger } from '../../lib/logger.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { DataMapStore } from './datamap.store.ts';

const sum = (systems: DataMapRetentionReport['systems'], k: 'deleted' | 'anonymised') =>
  systems.reduce((n, x) => n + x.collections.reduce((m, c) => m + c[k], 0), 0);

/** Daily: every tenant's connected systems lose what is past its retention period (Art. 5(1)(e)). */
export const DATAMAP_RETENTION_JOB = 'datamap.retention';

/**
 * The retention purge as a use case: opens the tenant's data map session, runs the purge (or a dry run), and audits
 * what it did in counts only. The schedule runs it for every tenant with a data map.
 */
export const createRetentionPurge = (deps: {
  db: Database;
  store: Pick<DataMapStore, 'session'>;
  audit: Pick<AuditLog, 'append'>;
  logger: Logger;
}) => {
  const run = async (tenantId: string, opts: { dryRun: boolean }, actor: string): Promise<DataMapRetentionReport> => {
    const s = await deps.store.session(tenantId);
    try {
      const report = await s.engine.purgeExpired(s.map, opts);
      await deps.db.tenant(tenantId, (tx) =>
        deps.audit.append(tx, tenantId, {
          actor,
          action: opts.dryRun ? 'datamap.retention.dry_run' : 'datamap.retention.purge',
          details: {
            version: s.version,
            complete: report.complete,
            deleted: sum(report.systems, 'deleted'),
            anonymised: sum(report.systems, 'anonymised'),
            systems: report.systems.map(
              (x) => `${x.system}: ${x.status}, ${sum([x], 'deleted')} deleted, ${sum([x], 'anonymised')} anonymised`,
            ),
          },
        }),
      );
      return { ...report, version: s.version };
    } finally {
      await s.close();
    }
  };

  /** One tenant failing (a system unreachable) neither stops the others nor the schedule. */
  const runAll = async (): Promise<{ tenants: number; failed: number }> => {
    const rows = await deps.db.system.selectDistinct({ tenantId: dataMapVersions.tenantId }).from(dataMapVersions);
    let failed = 0;
    for (const { tenantId } of rows) {
      try {
        const r = await run(tenantId, { dryRun: false }, 'lawful');
        if (!r.complete) failed++;
      } catch (err) {
        failed++;
        deps.logger.error({ tenantId, code: (err as { code?: string }).code }, 'retention purge failed');
      }
    }
    return { tenants: rows.length, failed };
  };

  return { run, runAll };
};
export type RetentionPurge = ReturnType<typeof createRetentionPurge>;
