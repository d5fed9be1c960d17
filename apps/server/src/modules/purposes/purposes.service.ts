import type { CreatePurpose, Purpose, PurposeDefinition } from '@lawful/contract';
import { type Database, forgetInTx, inTx, type Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { PurposeRow, PurposesRepo } from './purposes.repo.ts';

export const toPurpose = (r: PurposeRow): Purpose => ({
  ...r.definition,
  id: r.id,
  key: r.purposeKey,
  version: r.version,
  createdAt: r.createdAt.toISOString(),
  createdBy: r.createdBy,
});

/**
 * Processing purposes, versioned: a change never edits a version, it adds the next one, so what was in force when a
 * basis was recorded can always be shown.
 */
export const createPurposesService = (deps: {
  db: Database;
  repo: PurposesRepo;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, audit, clock } = deps;

  const write = async (
    q: Queryable,
    tenantId: string,
    key: string,
    version: number,
    def: PurposeDefinition,
    actor: string,
  ) => {
    const at = clock.now();
    const row: PurposeRow = {
      tenantId,
      purposeKey: key,
      version,
      id: newId('purpose', at.getTime()),
      definition: def,
      createdAt: at,
      createdBy: actor,
    };
    await repo.insert(q, row);
    forgetInTx(q, `purpose:${tenantId}:${key}`);
    await audit.append(q, tenantId, {
      actor,
      action: version === 1 ? 'purpose.create' : 'purpose.version',
      target: row.id,
      details: { key, version, bases: def.allowedBases },
    });
    return toPurpose(row);
  };

  /** The current version of a purpose inside the caller's transaction; NOT_FOUND naming `field` when absent. */
  const current = async (q: Queryable, tenantId: string, key: string, field = 'purpose') => {
    const row = await inTx(q, `purpose:${tenantId}:${key}`, () => repo.current(q, tenantId, key));
    if (!row) throw new AppError('NOT_FOUND', `no purpose "${key}"`, { field });
    return row;
  };

  return {
    current,
    create: (tenantId: string, input: CreatePurpose, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        if (await repo.current(tx, tenantId, input.key)) {
          throw new AppError(
            'CONFLICT',
            `purpose "${input.key}" exists; PUT /v1/purposes/${input.key} makes a new version`,
            {
              field: 'key',
            },
          );
        }
        const { key, ...def } = input;
        return write(tx, tenantId, key, 1, def, actor);
      }),
    update: (tenantId: string, key: string, def: PurposeDefinition, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const prev = await repo.current(tx, tenantId, key);
        if (!prev) throw notFound('purpose');
        return write(tx, tenantId, key, prev.version + 1, def, actor);
      }),
    exists: (tenantId: string, key: string) =>
      db.tenant(tenantId, async (tx) => (await repo.current(tx, tenantId, key)) !== undefined),
    get: (tenantId: string, key: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.current(tx, tenantId, key);
        if (!row) throw notFound('purpose');
        return toPurpose(row);
      }),
    versions: (tenantId: string, key: string) =>
      db.tenant(tenantId, async (tx) => {
        const rows = await repo.versions(tx, tenantId, key);
        if (rows.length === 0) throw notFound('purpose');
        return rows.map(toPurpose);
      }),
    list: (tenantId: string) => db.tenant(tenantId, async (tx) => (await repo.list(tx, tenantId)).map(toPurpose)),
    listIn: async (q: Queryable, tenantId: string) => (await repo.list(q, tenantId)).map(toPurpose),
  };
};
export type PurposesService = ReturnType<typeof createPurposesService>;
