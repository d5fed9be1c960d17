import type { RopaController } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import type { TenantsService } from '../tenants/tenants.service.ts';
import { controllerRecord, processorRecord, type RopaSubprocessors } from './ropa.model.ts';
import { toCsv, toXlsx } from './ropa.render.ts';
import type { RopaRepo } from './ropa.repo.ts';

export type RopaFormat = 'json' | 'csv' | 'xlsx';
export type RopaView = 'controller' | 'processor';
export type RopaExport =
  | { format: 'json'; body: ReturnType<typeof controllerRecord> | ReturnType<typeof processorRecord> }
  | { format: 'csv'; body: string }
  | { format: 'xlsx'; body: Buffer };

/** The Art. 30 record (check 51), built from the purposes as they stand and the controller's identity. */
export const createRopaService = (deps: {
  db: Database;
  repo: RopaRepo;
  purposes: Pick<PurposesService, 'listIn'>;
  tenants: Pick<TenantsService, 'get'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
  /** The install's sub-processor list (check 53); absent when none is wired. */
  subprocessors?: () => Promise<RopaSubprocessors>;
}) => {
  const { db, repo, purposes, tenants, audit, clock } = deps;
  return {
    getController: (tenantId: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.get(tx, tenantId);
        if (!row) throw new AppError('NOT_FOUND', 'no controller identity yet: PUT /v1/ropa/controller');
        return row.record;
      }),
    putController: (tenantId: string, record: RopaController, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        await repo.put(tx, { tenantId, record, updatedAt: clock.now(), updatedBy: actor });
        await audit.append(tx, tenantId, {
          actor,
          action: 'ropa.controller.update',
          target: tenantId,
          details: { dpo: record.dpo !== null, processorActivities: record.processorActivities.length },
        });
        return record;
      }),
    /** The record in the asked format. The export itself is audited: it is what a supervisory authority receives. */
    async export(tenantId: string, opts: { format: RopaFormat; view: RopaView }, actor: string): Promise<RopaExport> {
      const { settings } = await tenants.get(tenantId);
      const record = await db.tenant(tenantId, async (tx) => {
        const c = await repo.get(tx, tenantId);
        if (!c) {
          throw new AppError(
            'RULE_VIOLATION',
            'the record needs the controller identity first: PUT /v1/ropa/controller',
            {
              field: 'controller',
            },
          );
        }
        const at = clock.now();
        const r =
          opts.view === 'processor'
            ? processorRecord(c.record, at)
            : controllerRecord(c.record, await purposes.listIn(tx, tenantId), settings.defaultLocale, at);
        await audit.append(tx, tenantId, {
          actor,
          action: 'ropa.export',
          target: tenantId,
          details: { format: opts.format, view: opts.view, activities: r.activities.length },
        });
        return r;
      });
      if (deps.subprocessors) record.subprocessors = await deps.subprocessors();
      if (opts.format === 'csv') return { format: 'csv', body: toCsv(record) };
      if (opts.format === 'xlsx') return { format: 'xlsx', body: await toXlsx(record) };
      return { format: 'json', body: record };
    },
  };
};
export type RopaService = ReturnType<typeof createRopaService>;
