import type { Objection, ObjectionInput, ResolveObjection, Restriction, RestrictionInput } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { LawfulBasisRepo } from '../lawful-basis/lawful-basis.repo.ts';
import type { PurposesService } from '../purposes/purposes.service.ts';
import type { SubjectsService } from '../subjects/subjects.service.ts';
import type { ObjectionRow, ObjectionsRepo, RestrictionRow } from './objections.repo.ts';

const toObjection = (r: ObjectionRow): Objection => ({
  id: r.id,
  subjectId: r.subjectId,
  purpose: r.purposeKey,
  kind: r.kind,
  status: r.status,
  channel: r.channel,
  grounds: r.grounds,
  justification: r.justification,
  createdAt: r.createdAt.toISOString(),
  resolvedAt: r.resolvedAt?.toISOString() ?? null,
});

const toRestriction = (r: RestrictionRow): Restriction => ({
  id: r.id,
  subjectId: r.subjectId,
  purpose: r.purposeKey,
  ground: r.ground,
  createdAt: r.createdAt.toISOString(),
  liftedAt: r.liftedAt?.toISOString() ?? null,
});

/**
 * Art. 21 objections and Art. 18 restrictions. Decisions read their effect from the tables; this service only records.
 * - to direct marketing: upheld at once, no balancing, no override; the subject's identifiers go on the suppression list.
 * - to processing on (e)/(f): pending (processing halts) until resolved: upheld, or overridden with recorded grounds.
 */
export const createObjectionsService = (deps: {
  db: Database;
  repo: ObjectionsRepo;
  bases: Pick<LawfulBasisRepo, 'current'>;
  purposes: Pick<PurposesService, 'current'>;
  subjects: Pick<SubjectsService, 'resolveRef'>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, bases, purposes, subjects, audit, clock } = deps;
  return {
    object: (tenantId: string, input: ObjectionInput, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const purpose = await purposes.current(tx, tenantId, input.purpose, 'purpose');
        // An objection must be honoured even from someone we do not know yet: it creates the subject to suppress.
        const subjectId = (await subjects.resolveRef(tx, tenantId, input.subject, { create: true }))!;
        const at = clock.now();
        let kind: ObjectionRow['kind'];
        if (purpose.definition.directMarketing) kind = 'direct_marketing';
        else {
          const current = await bases.current(tx, tenantId, subjectId, input.purpose);
          const onEorF = (b: string) => b === 'public_task' || b === 'legitimate_interests';
          const applies = current ? onEorF(current.basis) : purpose.definition.allowedBases.some(onEorF);
          if (!applies) {
            throw new AppError(
              'RULE_VIOLATION',
              `Art. 21(1) covers processing on (e) or (f) and direct marketing; "${input.purpose}" rests on ${current?.basis ?? purpose.definition.allowedBases.join('/')} (withdraw consent or request erasure instead)`,
              { field: 'purpose' },
            );
          }
          kind = 'public_or_legitimate_interest';
        }
        const row: ObjectionRow = {
          tenantId,
          id: newId('objection', at.getTime()),
          subjectId,
          purposeKey: input.purpose,
          kind,
          status: kind === 'direct_marketing' ? 'upheld' : 'pending',
          channel: input.channel,
          grounds: null,
          justification: null,
          createdAt: at,
          createdBy: actor,
          resolvedAt: kind === 'direct_marketing' ? at : null,
          resolvedBy: kind === 'direct_marketing' ? actor : null,
        };
        await repo.insertObjection(tx, row);
        const suppressed =
          kind === 'direct_marketing'
            ? await repo.suppressSubject(tx, tenantId, subjectId, at, () => newId('suppression', at.getTime()))
            : 0;
        await audit.append(tx, tenantId, {
          actor,
          action: 'objection.create',
          target: row.id,
          subjectId,
          details: { purpose: input.purpose, kind, status: row.status, channel: input.channel, suppressed },
        });
        return toObjection(row);
      }),
    exists: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => (await repo.objection(tx, tenantId, id)) !== undefined),
    get: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.objection(tx, tenantId, id);
        if (!row) throw notFound('objection');
        return toObjection(row);
      }),
    /** Check 16: processing resumes only with recorded compelling grounds or legal claims. */
    resolve: (tenantId: string, id: string, input: ResolveObjection, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const existing = await repo.objection(tx, tenantId, id);
        if (!existing) throw notFound('objection');
        if (existing.kind === 'direct_marketing') {
          throw new AppError(
            'INVALID_TRANSITION',
            'an objection to direct marketing admits no balancing and no override (Art. 21(3))',
            {
              field: 'outcome',
            },
          );
        }
        const at = clock.now();
        const row = await repo.resolve(tx, tenantId, id, {
          status: input.outcome,
          grounds: input.outcome === 'overridden' ? (input.grounds ?? null) : null,
          justification: input.justification ?? null,
          resolvedAt: at,
          resolvedBy: actor,
        });
        if (!row)
          throw new AppError('INVALID_TRANSITION', `the objection is already ${existing.status}`, { field: 'outcome' });
        await audit.append(tx, tenantId, {
          actor,
          action: 'objection.resolve',
          target: id,
          subjectId: row.subjectId,
          details: { outcome: input.outcome, grounds: row.grounds },
        });
        return toObjection(row);
      }),
    restrict: (tenantId: string, input: RestrictionInput, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        if (input.purpose) await purposes.current(tx, tenantId, input.purpose, 'purpose');
        const subjectId = await subjects.resolveRef(tx, tenantId, input.subject, { create: false });
        if (!subjectId)
          throw new AppError('NOT_FOUND', 'no subject holds this identifier', { field: 'subject.identity' });
        const at = clock.now();
        const row: RestrictionRow = {
          tenantId,
          id: newId('restriction', at.getTime()),
          subjectId,
          purposeKey: input.purpose ?? null,
          ground: input.ground,
          createdAt: at,
          createdBy: actor,
          liftedAt: null,
          liftedBy: null,
        };
        await repo.insertRestriction(tx, row);
        await audit.append(tx, tenantId, {
          actor,
          action: 'restriction.create',
          target: row.id,
          subjectId,
          details: { purpose: input.purpose ?? null, ground: input.ground },
        });
        return toRestriction(row);
      }),
    restrictionExists: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => (await repo.restriction(tx, tenantId, id)) !== undefined),
    lift: (tenantId: string, id: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const existing = await repo.restriction(tx, tenantId, id);
        if (!existing) throw notFound('restriction');
        if (existing.liftedAt) return toRestriction(existing);
        const row = (await repo.lift(tx, tenantId, id, clock.now(), actor))!;
        await audit.append(tx, tenantId, { actor, action: 'restriction.lift', target: id, subjectId: row.subjectId });
        return toRestriction(row);
      }),
  };
};
export type ObjectionsService = ReturnType<typeof createObjectionsService>;
