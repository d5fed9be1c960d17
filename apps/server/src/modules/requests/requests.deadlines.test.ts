import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../lib/errors.ts';
import {
  type Deadline,
  deadlineMilestones,
  dueAt,
  extendDeadline,
  pauseForIdentity,
  resumeAfterIdentity,
  startDeadline,
} from './requests.deadlines.ts';
import { jurisdictionProfile } from './requests.jurisdictions.ts';

/*
 * The oracle below shares no code with the implementation (which uses luxon): it reads local dates with Intl,
 * does month arithmetic on integers, and finds the end of a local day by binary search over UTC milliseconds.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const partsIn = (ms: number, tz: string) => {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(tz, f);
  }
  const get = (type: string) => Number(f.formatToParts(new Date(ms)).find((p) => p.type === type)?.value);
  return { y: get('year'), m: get('month'), d: get('day') };
};
const dayNumber = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / 86_400_000;
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The first UTC millisecond whose local date is on or after the given day; zones are within ±15 h of UTC. */
const firstInstantOfLocalDay = (y: number, m: number, d: number, tz: string): number => {
  const target = dayNumber(y, m, d);
  let lo = Date.UTC(y, m - 1, d) - 15 * 3_600_000;
  let hi = Date.UTC(y, m - 1, d) + 15 * 3_600_000;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const p = partsIn(mid, tz);
    if (dayNumber(p.y, p.m, p.d) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
};

const oracleMonths = (receivedMs: number, tz: string, months: number): number => {
  const { y, m, d } = partsIn(receivedMs, tz);
  const idx = y * 12 + (m - 1) + months;
  const y2 = Math.floor(idx / 12);
  const m2 = (idx % 12) + 1;
  const d2 = Math.min(d, daysInMonth(y2, m2));
  const next = new Date(Date.UTC(y2, m2 - 1, d2 + 1));
  return firstInstantOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz) - 1;
};

const oracleDays = (receivedMs: number, tz: string, days: number): number => {
  const { y, m, d } = partsIn(receivedMs, tz);
  const next = new Date(Date.UTC(y, m - 1, d + days + 1));
  return firstInstantOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), tz) - 1;
};

const zones = [
  'Europe/Paris',
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Pacific/Chatham',
  'UTC',
  // DST at midnight: the local day starts at 01:00 on switch days.
  'America/Santiago',
] as const;

// Instants clustered around month ends and DST switches, where mistakes live, plus anywhere in 1971–2099.
const monthEndInstant = fc
  .record({
    y: fc.integer({ min: 1971, max: 2099 }),
    m: fc.integer({ min: 1, max: 12 }),
    dayFromEnd: fc.integer({ min: -3, max: 1 }),
    minute: fc.integer({ min: 0, max: 48 * 60 - 1 }),
  })
  .map(({ y, m, dayFromEnd, minute }) => new Date(Date.UTC(y, m, dayFromEnd) - 24 * 3_600_000 + minute * 60_000));
const anyInstant = fc.date({
  min: new Date('1971-01-02T00:00:00Z'),
  max: new Date('2099-12-01T00:00:00Z'),
  noInvalidDate: true,
});
const instant = fc.oneof(monthEndInstant, anyInstant);
const zone = fc.constantFrom(...zones);

const eu = jurisdictionProfile('eu');
const uk = jurisdictionProfile('uk');
const ca = jurisdictionProfile('us-ca');

const expectAppError = (fn: () => unknown, code: string, field?: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe(code);
    if (field) expect((e as AppError).field).toBe(field);
    return;
  }
  throw new Error(`expected AppError ${code}`);
};

describe('dueAt', () => {
  it('check 32: due_at is received + one calendar month (31 Jan → 28/29 Feb)', () => {
    // 23:59:59.999 Paris time (UTC+1 in winter)
    expect(dueAt(new Date('2025-01-31T10:00:00Z'), 'Europe/Paris').toISOString()).toBe('2025-02-28T22:59:59.999Z');
    expect(dueAt(new Date('2024-01-31T10:00:00Z'), 'Europe/Paris').toISOString()).toBe('2024-02-29T22:59:59.999Z');
    expect(dueAt(new Date('2025-01-30T10:00:00Z'), 'UTC').toISOString()).toBe('2025-02-28T23:59:59.999Z');
    expect(dueAt(new Date('2025-03-31T10:00:00Z'), 'UTC').toISOString()).toBe('2025-04-30T23:59:59.999Z');
    expect(dueAt(new Date('2025-02-28T10:00:00Z'), 'UTC').toISOString()).toBe('2025-03-28T23:59:59.999Z');
    expect(dueAt(new Date('2025-12-15T10:00:00Z'), 'UTC').toISOString()).toBe('2026-01-15T23:59:59.999Z');
  });

  it('check 32: the day of receipt is the local day in the tenant time zone', () => {
    // 23:30 UTC on 31 Jan is already 1 Feb in Paris: due 1 Mar, not 28 Feb.
    expect(dueAt(new Date('2025-01-31T23:30:00Z'), 'Europe/Paris').toISOString()).toBe('2025-03-01T22:59:59.999Z');
    // 14:00 UTC on 1 Mar is 03:45 on 2 Mar in Chatham (UTC+13:45, summer).
    expect(dueAt(new Date('2025-03-01T14:00:00Z'), 'Pacific/Chatham').toISOString()).toBe('2025-04-02T10:14:59.999Z');
  });

  it('check 32: the end of day follows DST in the due month, not the receipt month', () => {
    // Received in winter (UTC+1), due after the switch to summer time (UTC+2).
    expect(dueAt(new Date('2025-03-01T12:00:00Z'), 'Europe/Paris').toISOString()).toBe('2025-04-01T21:59:59.999Z');
    expect(dueAt(new Date('2025-10-10T12:00:00Z'), 'America/New_York').toISOString()).toBe('2025-11-11T04:59:59.999Z');
    // Sydney leaves DST on 6 Apr 2025.
    expect(dueAt(new Date('2025-03-10T01:00:00Z'), 'Australia/Sydney').toISOString()).toBe('2025-04-10T13:59:59.999Z');
  });

  it('refuses an unknown time zone', () => {
    expectAppError(() => dueAt(new Date(), 'Mars/Olympus_Mons'), 'VALIDATION_FAILED', 'timeZone');
  });

  it('check 32 (property): matches an independent calendar-month computation in every zone', () => {
    fc.assert(
      fc.property(instant, zone, (r, tz) => {
        expect(dueAt(r, tz).getTime()).toBe(oracleMonths(r.getTime(), tz, 1));
      }),
      { numRuns: 400 },
    );
  });

  it('check 32 (property): the deadline is the last millisecond of a local day, 28–31 days after receipt day', () => {
    fc.assert(
      fc.property(instant, zone, (r, tz) => {
        const due = dueAt(r, tz).getTime();
        const a = partsIn(due, tz);
        const b = partsIn(due + 1, tz);
        expect(dayNumber(b.y, b.m, b.d) - dayNumber(a.y, a.m, a.d)).toBe(1);
        const start = partsIn(r.getTime(), tz);
        const span = dayNumber(a.y, a.m, a.d) - dayNumber(start.y, start.m, start.d);
        expect(span).toBeGreaterThanOrEqual(28);
        expect(span).toBeLessThanOrEqual(31);
      }),
      { numRuns: 300 },
    );
  });

  it('check 32 (property): a later receipt never gives an earlier deadline', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 40 * 86_400_000 }), zone, (r, delta, tz) => {
        expect(dueAt(new Date(r.getTime() + delta), tz).getTime()).toBeGreaterThanOrEqual(dueAt(r, tz).getTime());
      }),
      { numRuns: 200 },
    );
  });

  it('us-ca: 45 calendar days from the day of receipt (property)', () => {
    fc.assert(
      fc.property(instant, zone, (r, tz) => {
        const d = startDeadline({ receivedAt: r, timeZone: tz, profile: ca });
        expect(d.dueAt.getTime()).toBe(oracleDays(r.getTime(), tz, 45));
      }),
      { numRuns: 150 },
    );
  });
});

describe('extendDeadline', () => {
  const received = new Date('2025-01-31T09:00:00Z');
  const base = (): Deadline => startDeadline({ receivedAt: received, timeZone: 'Europe/Paris', profile: eu });
  const reason = 'The records sit in three archived systems';

  it('check 33: extends to three months from receipt, counted from the receipt day (31 Jan → 30 Apr)', () => {
    const d = extendDeadline(base(), { reason, at: new Date('2025-02-10T09:00:00Z'), profile: eu });
    expect(d.dueAt.toISOString()).toBe('2025-04-30T21:59:59.999Z');
    expect(d.originalDueAt.toISOString()).toBe('2025-02-28T22:59:59.999Z');
    expect(d.extension).toEqual({
      period: { unit: 'months', count: 2 },
      reason,
      decidedAt: new Date('2025-02-10T09:00:00Z'),
    });
  });

  it('check 33 (property): total is never more than three months from receipt', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 1, max: 2 }), (r, tz, months) => {
        const d = extendDeadline(startDeadline({ receivedAt: r, timeZone: tz, profile: eu }), {
          months,
          reason,
          at: r,
          profile: eu,
        });
        expect(d.dueAt.getTime()).toBe(oracleMonths(r.getTime(), tz, 1 + months));
        expect(d.dueAt.getTime()).toBeLessThanOrEqual(oracleMonths(r.getTime(), tz, 3));
      }),
      { numRuns: 200 },
    );
  });

  it('check 33: only one extension', () => {
    const once = extendDeadline(base(), { months: 1, reason, at: received, profile: eu });
    expectAppError(
      () => extendDeadline(once, { months: 1, reason, at: received, profile: eu }),
      'RULE_VIOLATION',
      'extension',
    );
  });

  it('check 33: a reason is required', () => {
    expectAppError(
      () => extendDeadline(base(), { reason: '   ', at: received, profile: eu }),
      'VALIDATION_FAILED',
      'reason',
    );
  });

  it('check 33: no more than two further months', () => {
    expectAppError(
      () => extendDeadline(base(), { months: 3, reason, at: received, profile: eu }),
      'VALIDATION_FAILED',
      'months',
    );
    expectAppError(
      () => extendDeadline(base(), { months: 0, reason, at: received, profile: eu }),
      'VALIDATION_FAILED',
      'months',
    );
  });

  it('check 33: must be decided before the original due date', () => {
    const d = base();
    expect(extendDeadline(d, { reason, at: d.originalDueAt, profile: eu }).extension).not.toBeNull();
    const late = new Date(d.originalDueAt.getTime() + 1);
    expectAppError(() => extendDeadline(d, { reason, at: late, profile: eu }), 'RULE_VIOLATION', 'extension');
  });

  it('us-ca: one further 45 days; months are refused', () => {
    const d = startDeadline({
      receivedAt: new Date('2025-01-01T20:00:00Z'),
      timeZone: 'America/Los_Angeles',
      profile: ca,
    });
    expect(d.dueAt.toISOString()).toBe('2025-02-16T07:59:59.999Z');
    const e = extendDeadline(d, { reason, at: new Date('2025-01-20T00:00:00Z'), profile: ca });
    expect(e.dueAt.toISOString()).toBe('2025-04-02T06:59:59.999Z');
    expectAppError(
      () => extendDeadline(d, { months: 1, reason, at: d.receivedAt, profile: ca }),
      'VALIDATION_FAILED',
      'months',
    );
  });
});

describe('identity clock', () => {
  const received = new Date('2025-01-31T09:00:00Z');

  it('check 37: the EU default does not pause for identity', () => {
    const d = startDeadline({ receivedAt: received, timeZone: 'Europe/Paris', profile: eu });
    expectAppError(() => pauseForIdentity(d, { at: received, profile: eu }), 'RULE_VIOLATION', 'clock');
    for (const code of ['fr', 'de', 'us-ca'] as const) {
      expect(jurisdictionProfile(code).pausesClockForIdentity).toBe(false);
    }
  });

  it('check 37: UK pauses, and the month runs again from the day identity arrives', () => {
    const d = startDeadline({ receivedAt: received, timeZone: 'Europe/London', profile: uk });
    const paused = pauseForIdentity(d, { at: received, profile: uk });
    expect(paused.clockPausedAt).toEqual(received);
    expect(deadlineMilestones(paused)).toBeNull();
    const resumed = resumeAfterIdentity(paused, { at: new Date('2025-02-20T15:00:00Z'), profile: uk });
    expect(resumed.clockPausedAt).toBeNull();
    expect(resumed.startDate).toBe('2025-02-20');
    expect(resumed.dueAt.toISOString()).toBe('2025-03-20T23:59:59.999Z');
    expect(resumed.originalDueAt).toEqual(resumed.dueAt);
  });

  it('check 37 (property): resuming never shortens the UK deadline', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 0, max: 90 * 86_400_000 }), (r, tz, wait) => {
        const d = startDeadline({ receivedAt: r, timeZone: tz, profile: uk });
        const back = resumeAfterIdentity(pauseForIdentity(d, { at: r, profile: uk }), {
          at: new Date(r.getTime() + wait),
          profile: uk,
        });
        expect(back.dueAt.getTime()).toBeGreaterThanOrEqual(d.dueAt.getTime());
        expect(back.dueAt.getTime()).toBe(oracleMonths(r.getTime() + wait, tz, 1));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a double pause, a resume without pause, and extending while paused', () => {
    const d = startDeadline({ receivedAt: received, timeZone: 'Europe/London', profile: uk });
    const paused = pauseForIdentity(d, { at: received, profile: uk });
    expectAppError(() => pauseForIdentity(paused, { at: received, profile: uk }), 'RULE_VIOLATION');
    expectAppError(() => resumeAfterIdentity(d, { at: received, profile: uk }), 'RULE_VIOLATION');
    expectAppError(
      () => extendDeadline(paused, { reason: 'Needs more time', at: received, profile: uk }),
      'RULE_VIOLATION',
      'extension',
    );
    expectAppError(
      () => resumeAfterIdentity(paused, { at: new Date(received.getTime() - 1), profile: uk }),
      'VALIDATION_FAILED',
    );
  });
});

describe('deadlineMilestones', () => {
  it('reminds 7 and escalates 2 local days before the due day, at 09:00 local', () => {
    const d = startDeadline({ receivedAt: new Date('2025-03-01T12:00:00Z'), timeZone: 'Europe/Paris', profile: eu });
    const m = deadlineMilestones(d);
    // Due 1 Apr (UTC+2); 25 Mar is still winter time (UTC+1), 30 Mar is the switch day (UTC+2 from 03:00).
    expect(m?.remindAt.toISOString()).toBe('2025-03-25T08:00:00.000Z');
    expect(m?.escalateAt.toISOString()).toBe('2025-03-30T07:00:00.000Z');
    expect(m?.extensionDecisionBy).toEqual(d.originalDueAt);
  });

  it('check 33: no extension decision milestone once extended; reminders follow the new date', () => {
    const d = startDeadline({ receivedAt: new Date('2025-03-01T12:00:00Z'), timeZone: 'UTC', profile: eu });
    const e = extendDeadline(d, { months: 1, reason: 'Large volume of records', at: d.receivedAt, profile: eu });
    const m = deadlineMilestones(e);
    expect(m?.extensionDecisionBy).toBeNull();
    expect(m?.remindAt.toISOString()).toBe('2025-04-24T09:00:00.000Z');
  });
});
