import type { ConsentOverview } from '@lawful/contract';
import type { Database } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { OverviewRepo } from './overview.repo.ts';

const DAY = 86_400_000;

/** The Monday (UTC) starting the week that holds `d`, as YYYY-MM-DD. */
export const weekStart = (d: Date) => {
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  const sinceMonday = (new Date(midnight).getUTCDay() + 6) % 7;
  return new Date(midnight - sinceMonday * DAY);
};

/** The console's first screen: how many purposes, where consent stands per purpose, and how it moved per week. */
export const createOverviewService = (deps: { db: Database; repo: OverviewRepo; clock: Clock }) => ({
  consent: (tenantId: string, q: { weeks: number; purpose?: string }): Promise<ConsentOverview> =>
    deps.db.tenant(tenantId, async (tx) => {
      const first = new Date(weekStart(deps.clock.now()).getTime() - (q.weeks - 1) * 7 * DAY);
      const [purposes, states, decisions] = await Promise.all([
        deps.repo.purposeCount(tx, tenantId),
        deps.repo.statesByPurpose(tx, tenantId),
        deps.repo.decisionsByWeek(tx, tenantId, first, q.purpose),
      ]);
      const byPurpose = new Map<string, ConsentOverview['byPurpose'][number]>();
      for (const s of states) {
        const p = byPurpose.get(s.purpose) ?? { purpose: s.purpose, granted: 0, refused: 0, withdrawn: 0, pending: 0 };
        if (s.state === 'pending_confirmation') p.pending += s.n;
        else p[s.state] += s.n;
        byPurpose.set(s.purpose, p);
      }
      // Every week appears, also the quiet ones: a chart with gaps would lie about the trend.
      const weeks = Array.from({ length: q.weeks }, (_, i) => ({
        week: new Date(first.getTime() + i * 7 * DAY).toISOString().slice(0, 10),
        grant: 0,
        refuse: 0,
        withdraw: 0,
      }));
      const index = new Map(weeks.map((w) => [w.week, w]));
      for (const d of decisions) {
        const w = index.get(d.week);
        if (w) w[d.decision] += d.n;
      }
      return { purposes, byPurpose: [...byPurpose.values()], weeks };
    }),
});
export type OverviewService = ReturnType<typeof createOverviewService>;
