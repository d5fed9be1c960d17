import type { TenantSettings } from '@lawful/contract';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { consentRecords, consentState, consentSubmissions } from '../../db/schema/index.ts';
import type { Clock } from '../../lib/clock.ts';
import type { AuditLog } from '../audit/audit.service.ts';

export const CONSENT_PURGE_JOB = 'consent.proof.purge';

/**
 * `now` minus an ISO 8601 period (P5Y, P18M, P30D, P2W), calendar-aware, in UTC.
 * @example minusPeriod(new Date('2030-03-01T00:00:00Z'), 'P5Y') // 2025-03-01T00:00:00.000Z
 */
export const minusPeriod = (now: Date, period: string): Date => {
  const m = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(period);
  if (!m) throw new Error(`not an ISO 8601 period: ${period}`);
  const [, y = '0', mo = '0', w = '0', d = '0'] = m;
  const months = now.getUTCFullYear() * 12 + now.getUTCMonth() - Number(y) * 12 - Number(mo);
  const [year, month] = [Math.floor(months / 12), months % 12];
  // 31 March minus one month is the last day of February, not 3 March.
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const out = new Date(now);
  out.setUTCFullYear(year, month, Math.min(now.getUTCDate(), lastDay));
  out.setUTCDate(out.getUTCDate() - Number(w) * 7 - Number(d));
  return out;
};

export type PurgeReport = { tenantId: string; retention: string; cutoff: string; subjects: string[]; records: number };

/**
 * Check 10: proof of consent is kept while the processing lasts, then only as long as legal claims need it. For each
 * tenant, a subject with no consent in force whose last decision (a withdrawal or refusal) is older than the tenant's
 * `consentProofRetention` loses its consent records. The app role may not delete from the append-only store, so
 * this runs as the owner, and leaves one audit entry per subject (ids and counts only).
 */
export const createConsentRetention = (deps: {
  db: Database;
  tenants: () => Promise<{ id: string; settings: TenantSettings }[]>;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, audit, clock } = deps;

  const purgeTenant = async (
    tenantId: string,
    settings: TenantSettings,
    o: { dryRun: boolean },
  ): Promise<PurgeReport> => {
    const retention = settings.consentProofRetention ?? 'P5Y';
    const cutoff = minusPeriod(clock.now(), retention);
    return db.system.transaction(async (tx) => {
      const expired = await tx
        .select({ subjectId: consentRecords.subjectId, n: sql<number>`count(*)::int` })
        .from(consentRecords)
        .where(
          and(
            eq(consentRecords.tenantId, tenantId),
            sql`not exists (select 1 from ${consentState} s where s.tenant_id = ${tenantId}
              and s.subject_id = ${consentRecords.subjectId} and s.state in ('granted', 'pending_confirmation'))`,
          ),
        )
        .groupBy(consentRecords.subjectId)
        .having(sql`max(${consentRecords.recordedAt}) < ${cutoff.toISOString()}::timestamptz`)
        .orderBy(consentRecords.subjectId);
      const subjects = expired.map((e) => e.subjectId);
      const records = expired.reduce((a, e) => a + e.n, 0);
      if (!o.dryRun) {
        for (let i = 0; i < subjects.length; i += 500) {
          const chunk = subjects.slice(i, i + 500);
          const gone = await tx
            .delete(consentRecords)
            .where(and(eq(consentRecords.tenantId, tenantId), inArray(consentRecords.subjectId, chunk)))
            .returning({ submissionId: consentRecords.submissionId });
          const submissions = [...new Set(gone.map((g) => g.submissionId))];
          if (submissions.length > 0) {
            await tx
              .delete(consentSubmissions)
              .where(
                and(eq(consentSubmissions.tenantId, tenantId), inArray(consentSubmissions.submissionId, submissions)),
              );
          }
          await tx
            .delete(consentState)
            .where(and(eq(consentState.tenantId, tenantId), inArray(consentState.subjectId, chunk)));
        }
        for (const e of expired) {
          await audit.append(tx, tenantId, {
            actor: 'system:retention',
            action: 'consent.purge',
            target: e.subjectId,
            subjectId: e.subjectId,
            details: { records: e.n, retention, cutoff: cutoff.toISOString() },
          });
        }
      }
      return { tenantId, retention, cutoff: cutoff.toISOString(), subjects, records };
    });
  };

  return {
    /** Every tenant, or one; `dryRun` reports what would go without deleting anything. */
    purge: async (o: { dryRun: boolean; tenantId?: string }): Promise<PurgeReport[]> => {
      const out: PurgeReport[] = [];
      for (const t of await deps.tenants()) {
        if (o.tenantId && t.id !== o.tenantId) continue;
        out.push(await purgeTenant(t.id, t.settings, o));
      }
      return out;
    },
  };
};
export type ConsentRetention = ReturnType<typeof createConsentRetention>;
