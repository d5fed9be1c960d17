import { and, count, countDistinct, eq, gte, sql } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { consentRecords, consentState, purposeVersions } from '../../db/schema/index.ts';

const week = sql<string>`to_char(date_trunc('week', ${consentRecords.recordedAt} at time zone 'UTC'), 'YYYY-MM-DD')`;

export const createOverviewRepo = () => ({
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
  /** Effective decisions per ISO week (Monday, UTC) since `from`. */
  decisionsByWeek: (q: Queryable, tenantId: string, from: Date, purpose?: string) =>
    q
      .select({ week, decision: consentRecords.decision, n: count() })
      .from(consentRecords)
      .where(
        and(
          eq(consentRecords.tenantId, tenantId),
          gte(consentRecords.recordedAt, from),
          eq(consentRecords.pending, 'no'),
          purpose ? eq(consentRecords.purposeKey, purpose) : undefined,
        ),
      )
      .groupBy(week, consentRecords.decision),
});
export type OverviewRepo = ReturnType<typeof createOverviewRepo>;
