import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { Sealing } from '../requests/requests.core.ts';
import type { RequestsRepo } from '../requests/requests.repo.ts';
import type { Vault } from '../vault/vault.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import { toSubjectIdentities } from './datamap.identities.ts';
import type { Rectification } from './datamap.rectify.ts';
import type { DataMapRepo } from './datamap.repo.ts';
import type { DataMapSession } from './datamap.store.ts';

/**
 * Applies a rectification request's corrections: staff through POST /v1/datamap/rectify, or the request's own task per
 * system when the requester gave the corrected values with the request.
 */
export const createRectifyRequest = (deps: {
  db: Database;
  repo: DataMapRepo;
  requestsRepo: Pick<RequestsRepo, 'get'>;
  sealing: Sealing;
  vault: Pick<Vault, 'encrypt' | 'sealForTenant'>;
  audit: Pick<AuditLog, 'append'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  clock: Clock;
  withSession: <T>(tenantId: string, fn: (s: DataMapSession) => Promise<T>) => Promise<T>;
}) => {
  const { db, clock, withSession } = deps;
  /**
   * Applies a rectification request's corrections in every mapped system (Art. 16) and records each old and new value
   * sealed under the subject's key; recipients hear which fields changed, never the values (Art. 19).
   */
  const rectify = async (
    tenantId: string,
    requestId: string,
    changes: Rectification[],
    actor: string,
    opts: { systemId?: string } = {},
  ) => {
    const req = await db.tenant(tenantId, async (tx) => {
      const r = await deps.requestsRepo.get(tx, tenantId, requestId);
      if (!r) throw notFound('request');
      if (!r.types.includes('rectification'))
        throw new AppError('RULE_VIOLATION', 'the request is not a rectification request', { field: 'requestId' });
      if (!r.verifiedAt)
        throw new AppError('RULE_VIOLATION', 'the requester is not verified yet', { field: 'requestId' });
      const sealed = await deps.sealing.open(tx, r);
      return { subjectId: r.subjectId, identities: sealed?.identities ?? [] };
    });
    const ids = toSubjectIdentities(req.identities);
    if (ids.length === 0) throw new AppError('RULE_VIOLATION', 'the request carries no identifier to search by');
    // One system when a request's task applies the corrections there; every system when staff do it at once.
    const result = await withSession(tenantId, (s) =>
      s.engine.rectify(
        opts.systemId ? { ...s.map, systems: s.map.systems.filter((x) => x.id === opts.systemId) } : s.map,
        ids,
        changes,
      ),
    );
    await db.tenant(tenantId, async (tx) => {
      const now = clock.now();
      for (const sys of result.systems) {
        for (const ch of sys.changes) {
          const id = newId('rectification', now.getTime());
          const json = JSON.stringify({ key: ch.key, oldValue: ch.oldValue, newValue: ch.newValue });
          await deps.repo.insertRectification(tx, {
            tenantId,
            id,
            requestId,
            subjectId: req.subjectId,
            system: sys.system,
            collection: ch.collection,
            column: ch.column,
            valuesSealed: req.subjectId
              ? await deps.vault.encrypt(tx, tenantId, req.subjectId, `rectification:${id}`, json)
              : await deps.vault.sealForTenant(tx, tenantId, `rectification:${id}`, json),
            sealedUnder: req.subjectId ? 'subject' : 'tenant',
            createdAt: now,
          });
        }
      }
      const fields = [
        ...new Set(result.systems.flatMap((x) => x.changes.map((c) => `${x.system}.${c.collection}.${c.column}`))),
      ];
      await deps.audit.append(tx, tenantId, {
        actor,
        action: 'datamap.rectify',
        target: requestId,
        subjectId: req.subjectId,
        details: { fields: fields.slice(0, 100), complete: result.complete },
      });
      if (req.subjectId && fields.length > 0) {
        await deps.webhooks.emit(tx, tenantId, {
          type: 'subject.rectified',
          data: { subjectId: req.subjectId, requestId, fields: fields.slice(0, 100), at: now.toISOString() },
        });
      }
    });
    return {
      complete: result.complete,
      systems: result.systems.map((x) => ({
        system: x.system,
        status: x.status,
        changed: x.changes.map((c) => ({ collection: c.collection, column: c.column })),
        ...(x.error ? { error: x.error } : {}),
      })),
    };
  };

  return rectify;
};
