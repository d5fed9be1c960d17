import type { BannerOverview, ConsentOverview, RequestsOverview } from '@lawful/contract';
import { DateTime, IANAZone } from 'luxon';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import type { OverviewRepo } from './overview.repo.ts';

const SOONEST = 10;

/**
 * The weeks to show, cut in `zone`: the Monday 00:00 (local) starting the first one, the start of the next week
 * (the end of "this week"), and every week's label, oldest first. Luxon weeks are ISO weeks (Monday first), and
 * adding weeks in local time keeps the labels right across daylight-saving changes.
 */
export const weekWindow = (now: Date, zone: string, weeks: number) => {
  const current = DateTime.fromJSDate(now, { zone }).startOf('week');
  const first = current.minus({ weeks: weeks - 1 });
  return {
    from: first.toJSDate(),
    weekEnd: current.plus({ weeks: 1 }).toJSDate(),
    labels: Array.from({ length: weeks }, (_, i) => first.plus({ weeks: i }).toISODate() ?? ''),
  };
};

/** Every week appears, also the quiet ones: a chart with gaps would lie about the trend. */
const fill = <T extends object>(labels: string[], zero: () => T) => {
  const rows = labels.map((week) => ({ week, ...zero() }));
  return { rows, at: new Map(rows.map((r) => [r.week, r])) };
};

const BANNER_FIELD = {
  accept_all: 'acceptAll',
  reject_all: 'rejectAll',
  close: 'close',
  save_choices: 'custom',
  allow_embed: 'allowEmbed',
  gpc: 'gpc',
} as const;

/** The console's first screen: deadlines, the flow of requests, consent and banner outcomes per week. Counts only. */
export const createOverviewService = (deps: { db: Database; repo: OverviewRepo; clock: Clock }) => {
  const { repo } = deps;
  // A zone the tenant never set, or one this server does not know, falls back to UTC rather than failing the screen.
  const zoneOf = async (tx: Queryable, tenantId: string) => {
    const z = await repo.timeZone(tx, tenantId);
    return z && IANAZone.isValidZone(z) ? z : 'UTC';
  };

  const consent = (tenantId: string, q: { weeks: number; purpose?: string }): Promise<ConsentOverview> =>
    deps.db.tenant(tenantId, async (tx) => {
      const timeZone = await zoneOf(tx, tenantId);
      const win = weekWindow(deps.clock.now(), timeZone, q.weeks);
      // One after another: a transaction is one connection, which runs one statement at a time anyway.
      const purposes = await repo.purposeCount(tx, tenantId);
      const states = await repo.statesByPurpose(tx, tenantId);
      const decisions = await repo.decisionsByWeek(tx, tenantId, timeZone, win.from, q.purpose);
      const byPurpose = new Map<string, ConsentOverview['byPurpose'][number]>();
      for (const s of states) {
        const p = byPurpose.get(s.purpose) ?? { purpose: s.purpose, granted: 0, refused: 0, withdrawn: 0, pending: 0 };
        if (s.state === 'pending_confirmation') p.pending += s.n;
        else p[s.state] += s.n;
        byPurpose.set(s.purpose, p);
      }
      const weeks = fill(win.labels, () => ({ grant: 0, refuse: 0, withdraw: 0 }));
      for (const d of decisions) {
        const w = weeks.at.get(d.week);
        if (w) w[d.decision] += d.n;
      }
      return { timeZone, purposes, byPurpose: [...byPurpose.values()], weeks: weeks.rows };
    });

  const requests = (tenantId: string, q: { weeks: number }): Promise<RequestsOverview> =>
    deps.db.tenant(tenantId, async (tx) => {
      const timeZone = await zoneOf(tx, tenantId);
      const now = deps.clock.now();
      const win = weekWindow(now, timeZone, q.weeks);
      const counts = await repo.openCounts(tx, tenantId, now, win.weekEnd);
      const soonest = await repo.soonestOpen(tx, tenantId, SOONEST);
      const received = await repo.receivedByWeek(tx, tenantId, timeZone, win.from);
      const closed = await repo.closedByWeek(tx, tenantId, timeZone, win.from);
      const weeks = fill(win.labels, () => ({ received: 0, closed: 0 }));
      for (const r of received) {
        const w = weeks.at.get(r.week);
        if (w) w.received += r.n;
      }
      for (const r of closed) {
        const w = weeks.at.get(r.week);
        if (w) w.closed += r.n;
      }
      return {
        timeZone,
        open: {
          ...counts,
          soonest: soonest.map((r) => ({
            id: r.id,
            types: r.types,
            state: r.state,
            dueAt: r.dueAt.toISOString(),
            due: r.dueAt < now ? 'overdue' : r.dueAt < win.weekEnd ? 'this_week' : 'later',
          })),
        },
        weeks: weeks.rows,
      };
    });

  const banner = (tenantId: string, q: { weeks: number }): Promise<BannerOverview> =>
    deps.db.tenant(tenantId, async (tx) => {
      const timeZone = await zoneOf(tx, tenantId);
      const win = weekWindow(deps.clock.now(), timeZone, q.weeks);
      const rows = await repo.bannerByWeek(tx, tenantId, timeZone, win.from);
      const weeks = fill(win.labels, () => ({
        acceptAll: 0,
        rejectAll: 0,
        close: 0,
        custom: 0,
        allowEmbed: 0,
        gpc: 0,
      }));
      for (const r of rows) {
        const w = weeks.at.get(r.week);
        const field = BANNER_FIELD[r.kind];
        if (w && field) w[field] += r.n;
      }
      return { timeZone, weeks: weeks.rows };
    });

  return { consent, requests, banner };
};
export type OverviewService = ReturnType<typeof createOverviewService>;
