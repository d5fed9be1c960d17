import { and, asc, count, countDistinct, eq, gte, isNotNull, isNull, type SQLWrapper, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import {
  bannerReceipts,
  consentRecords,
  consentState,
  purposeVersions,
  requests,
  tenants,
} from '../../db/schema/index.ts';

/**
 * The local Monday of the week holding `at`, as YYYY-MM-DD, cut in the tenant's zone. Grouped by position (`1`): the
 * zone is a bound parameter, and the same expression written twice would be two parameters to PostgreSQL.
 */
const weekOf = (at: SQLWrapper, zone: string) =>
  sql<string>`to_char(date_trunc('week', ${at} at time zone ${zone}), 'YYYY-MM-DD')`;
const FIRST = sql`1`;

export const createOverviewRepo = () => ({
  /** The tenant's time zone setting (tenants are readable under RLS only for the tenant in scope). */
  timeZone: async (q: Queryable, tenantId: string) => {
    const [row] = await q
      .select({ zone: sql<string | null>`${tenants.settings}->>'timezone'` })
      .from(tenants)
      .where(eq(tenants.id, tenantId));
    return row?.zone ?? null;
  },
  purposeCount: async (q: Queryable, tenantId: string) => {
    const [row] = await q
      .select({ n: countDistinct(purposeVersions.purposeKey) })
      .from(purposeVersions)
      .where(eq(purposeVersions.tenantId, tenantId));
    return row?.n ?? 0;
  },
  /** Current state counts per purpose, from the projection (one row per subject × purpose). */
  statesByPurpose: (q: Queryable, tenantId: string) =>
    q
      .select({ purpose: consentState.purposeKey, state: consentState.state, n: count() })
      .from(consentState)
      .where(eq(consentState.tenantId, tenantId))
      .groupBy(consentState.purposeKey, consentState.state)
      .orderBy(consentState.purposeKey),
  /** Effective decisions per local week since `from` (consent_records_recorded_idx). */
  decisionsByWeek: (q: Queryable, tenantId: string, zone: string, from: Date, purpose?: string) =>
    q
      .select({ week: weekOf(consentRecords.recordedAt, zone), decision: consentRecords.decision, n: count() })
      .from(consentRecords)
      .where(
        and(
          eq(consentRecords.tenantId, tenantId),
          gte(consentRecords.recordedAt, from),
          eq(consentRecords.pending, 'no'),
          purpose ? eq(consentRecords.purposeKey, purpose) : undefined,
        ),
      )
      .groupBy(FIRST, consentRecords.decision),

  /** Open requests counted against now and the end of this week, in one pass over requests_open_due_idx. */
  openCounts: async (q: Queryable, tenantId: string, now: Date, weekEnd: Date) => {
    const [row] = await q
      .select({
        overdue: sql<number>`count(*) filter (where ${requests.dueAt} < ${now})`.mapWith(Number),
        thisWeek:
          sql<number>`count(*) filter (where ${requests.dueAt} >= ${now} and ${requests.dueAt} < ${weekEnd})`.mapWith(
            Number,
          ),
        later: sql<number>`count(*) filter (where ${requests.dueAt} >= ${weekEnd})`.mapWith(Number),
      })
      .from(requests)
      .where(and(eq(requests.tenantId, tenantId), isNull(requests.closedAt)));
    return row ?? { overdue: 0, thisWeek: 0, later: 0 };
  },
  /** The open requests with the nearest deadlines (requests_open_due_id_idx). */
  soonestOpen: (q: Queryable, tenantId: string, limit: number) =>
    q
      .select({ id: requests.id, types: requests.types, state: requests.state, dueAt: requests.dueAt })
      .from(requests)
      .where(and(eq(requests.tenantId, tenantId), isNull(requests.closedAt)))
      .orderBy(asc(requests.dueAt), asc(requests.id))
      .limit(limit),
  /** Requests received per local week since `from` (requests_received_idx). */
  receivedByWeek: (q: Queryable, tenantId: string, zone: string, from: Date) =>
    q
      .select({ week: weekOf(requests.receivedAt, zone), n: count() })
      .from(requests)
      .where(and(eq(requests.tenantId, tenantId), gte(requests.receivedAt, from)))
      .groupBy(FIRST),
  /** Requests closed per local week since `from` (requests_closed_idx). */
  closedByWeek: (q: Queryable, tenantId: string, zone: string, from: Date) =>
    q
      .select({ week: weekOf(requests.closedAt, zone), n: count() })
      .from(requests)
      .where(and(eq(requests.tenantId, tenantId), isNotNull(requests.closedAt), gte(requests.closedAt, from)))
      .groupBy(FIRST),
  /** Banner choices per local week and control since `from` (banner_receipts_received_idx covers it). */
  bannerByWeek: (q: Queryable, tenantId: string, zone: string, from: Date) =>
    q
      .select({
        week: weekOf(bannerReceipts.receivedAt, zone),
        kind: bannerReceipts.actionKind,
        n: count(),
      })
      .from(bannerReceipts)
      .where(and(eq(bannerReceipts.tenantId, tenantId), gte(bannerReceipts.receivedAt, from)))
      .groupBy(FIRST, bannerReceipts.actionKind),
});
export type OverviewRepo = ReturnType<typeof createOverviewRepo>;
