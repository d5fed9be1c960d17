import { DateTime } from 'luxon';
import { AppError } from '../../lib/errors.ts';
import { describePeriod, type JurisdictionProfile, type Period } from './requests.jurisdictions.ts';

/**
 * Deadlines for data-subject requests (legal checks 32, 33, 37). Pure functions: callers pass instants taken from
 * their `Clock`, and store the returned `Deadline`.
 *
 * The rule (Art. 12(3) GDPR read with Reg. 1182/71 Art. 3, as the EDPB does in Guidelines 01/2022):
 * - the day of receipt does not count; a period of N months ends with the expiry of the last hour of the day in the
 *   Nth following month that has the same date as the day of receipt;
 * - if that month has no such date (31 Jan + 1 month), the period ends at the end of the month's last day (28/29 Feb);
 * - "day" means the calendar day in the tenant's time zone; the result is the last millisecond before the next local
 *   day begins, as a UTC instant;
 * - Reg. 1182/71 Art. 3(4) would push a deadline falling on a weekend or public holiday to the next working day. We do
 *   not: holidays differ by country and region, and answering earlier is always lawful, so ours is never later than
 *   the law's.
 */

export const ONE_MONTH: Period = { unit: 'months', count: 1 };

export type Deadline = {
  timeZone: string;
  receivedAt: Date;
  /** The local date the period runs from: the day of receipt, or in the UK the day identity was confirmed. */
  startDate: string;
  /** The deadline without extension. An extension must be decided and notified before it (check 33). */
  originalDueAt: Date;
  dueAt: Date;
  extension: { period: Period; reason: string; decidedAt: Date } | null;
  /** Set while the clock waits for proof of identity; only where the jurisdiction allows it (check 37). */
  clockPausedAt: Date | null;
};

const zoned = (instant: Date, timeZone: string): DateTime => {
  if (Number.isNaN(instant.getTime())) throw new AppError('VALIDATION_FAILED', 'not a valid instant', { field: 'at' });
  const dt = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!dt.isValid) throw new AppError('VALIDATION_FAILED', `unknown time zone ${timeZone}`, { field: 'timeZone' });
  return dt;
};

/** Throws VALIDATION_FAILED unless the IANA time zone is known to this runtime. */
export const assertTimeZone = (timeZone: string): void => {
  zoned(new Date(0), timeZone);
};

/** The calendar date of an instant in a time zone, as `YYYY-MM-DD`. */
export const localDate = (instant: Date, timeZone: string): string => zoned(instant, timeZone).toISODate() ?? '';

/**
 * The last instant of a local calendar day. Computed as "the next day's first instant minus 1 ms" so that days
 * shortened or lengthened by DST, and midnights skipped by DST (e.g. America/Santiago), come out right.
 */
const endOfLocalDay = (date: DateTime, timeZone: string): Date => {
  const next = date.plus({ days: 1 });
  const start = DateTime.fromObject({ year: next.year, month: next.month, day: next.day }, { zone: timeZone });
  return new Date(start.startOf('day').toMillis() - 1);
};

/**
 * End of a period counted from a local start date. Calendar arithmetic happens on a zone-free date (luxon clamps
 * 31 Jan + 1 month to 28/29 Feb), and only the final "end of day" is placed in the time zone.
 */
export const periodEnd = (startDate: string, period: Period, timeZone: string): Date => {
  const start = DateTime.fromISO(startDate, { zone: 'UTC' });
  if (!start.isValid) throw new AppError('VALIDATION_FAILED', `not a date: ${startDate}`, { field: 'startDate' });
  assertTimeZone(timeZone);
  const last = start.plus(period.unit === 'months' ? { months: period.count } : { days: period.count });
  return endOfLocalDay(last, timeZone);
};

/**
 * Check 32: received + one calendar month, at the end of that day in the tenant's time zone.
 * @example dueAt(new Date('2025-01-31T10:00:00Z'), 'Europe/Paris') // 2025-02-28T22:59:59.999Z
 */
export const dueAt = (receivedAt: Date, timeZone: string, period: Period = ONE_MONTH): Date =>
  periodEnd(localDate(receivedAt, timeZone), period, timeZone);

/** A request's deadline as it stands on receipt. */
export const startDeadline = (input: {
  receivedAt: Date;
  timeZone: string;
  profile: JurisdictionProfile;
}): Deadline => {
  const startDate = localDate(input.receivedAt, input.timeZone);
  const due = periodEnd(startDate, input.profile.responsePeriod, input.timeZone);
  return {
    timeZone: input.timeZone,
    receivedAt: input.receivedAt,
    startDate,
    originalDueAt: due,
    dueAt: due,
    extension: null,
    clockPausedAt: null,
  };
};

const addPeriods = (a: Period, b: Period): Period => {
  if (a.unit !== b.unit) throw new AppError('INTERNAL', 'a jurisdiction mixes month and day periods');
  return { unit: a.unit, count: a.count + b.count };
};

/**
 * Check 33: one extension, at most the jurisdiction's maximum (GDPR: two further months, so three from the start of
 * the period), with a reason, decided before the original due date so the subject can be told in time. The new
 * deadline is counted from the start date directly (31 Jan + 3 months = 30 Apr), not chained from the first due date
 * (which would give 28 Apr).
 * @example extendDeadline(d, { reason: 'Records sit in three archived systems', at: clock.now(), profile })
 */
export const extendDeadline = (
  deadline: Deadline,
  input: { months?: number | undefined; reason: string; at: Date; profile: JurisdictionProfile },
): Deadline => {
  const { profile, at } = input;
  const max = profile.maxExtension;
  if (input.months !== undefined && max.unit !== 'months') {
    throw new AppError(
      'VALIDATION_FAILED',
      `jurisdiction ${profile.code} extends by ${describePeriod(max)}, not months`,
      {
        field: 'months',
      },
    );
  }
  const count = input.months ?? max.count;
  if (!Number.isInteger(count) || count < 1 || count > max.count) {
    throw new AppError('VALIDATION_FAILED', `an extension is 1 to ${max.count} ${max.unit} in ${profile.code}`, {
      field: 'months',
    });
  }
  if (input.reason.trim().length === 0) {
    throw new AppError('VALIDATION_FAILED', 'an extension needs a reason the subject is told (Art. 12(3))', {
      field: 'reason',
    });
  }
  if (deadline.extension) {
    throw new AppError('RULE_VIOLATION', 'a request can be extended only once (Art. 12(3))', { field: 'extension' });
  }
  if (deadline.clockPausedAt) {
    throw new AppError('RULE_VIOLATION', 'settle identity before extending: the clock is paused', {
      field: 'extension',
    });
  }
  if (at.getTime() > deadline.originalDueAt.getTime()) {
    throw new AppError(
      'RULE_VIOLATION',
      'an extension must be decided and notified before the original due date (Art. 12(3))',
      { field: 'extension' },
    );
  }
  const period: Period = { unit: max.unit, count };
  return {
    ...deadline,
    dueAt: periodEnd(deadline.startDate, addPeriods(profile.responsePeriod, period), deadline.timeZone),
    extension: { period, reason: input.reason.trim(), decidedAt: at },
  };
};

/**
 * Check 37: stop the clock while waiting for proof of identity, only where the jurisdiction says so (UK). Elsewhere
 * the period runs from receipt and this throws.
 */
export const pauseForIdentity = (deadline: Deadline, input: { at: Date; profile: JurisdictionProfile }): Deadline => {
  if (!input.profile.pausesClockForIdentity) {
    throw new AppError(
      'RULE_VIOLATION',
      `in jurisdiction ${input.profile.code} the clock runs from receipt; identity checks do not pause it`,
      { field: 'clock' },
    );
  }
  if (deadline.clockPausedAt) throw new AppError('RULE_VIOLATION', 'the clock is already paused', { field: 'clock' });
  if (deadline.extension) {
    throw new AppError('RULE_VIOLATION', 'an extended request cannot go back to identity checks', { field: 'clock' });
  }
  if (input.at.getTime() < deadline.receivedAt.getTime()) {
    throw new AppError('VALIDATION_FAILED', 'cannot pause before the request was received', { field: 'at' });
  }
  return { ...deadline, clockPausedAt: input.at };
};

/**
 * Identity confirmed: the period starts again on that local day (UK GDPR Art. 12A: the time runs from the latest of
 * receipt and receipt of the information asked for). The new deadline is never earlier than the old one.
 */
export const resumeAfterIdentity = (
  deadline: Deadline,
  input: { at: Date; profile: JurisdictionProfile },
): Deadline => {
  const pausedAt = deadline.clockPausedAt;
  if (!pausedAt) throw new AppError('RULE_VIOLATION', 'the clock is not paused', { field: 'clock' });
  if (input.at.getTime() < pausedAt.getTime()) {
    throw new AppError('VALIDATION_FAILED', 'cannot resume before the pause began', { field: 'at' });
  }
  const startDate = localDate(input.at, deadline.timeZone);
  const due = periodEnd(startDate, input.profile.responsePeriod, deadline.timeZone);
  // Restarting from a later day cannot shorten the period; keep the old one if a clock ever disagrees.
  if (due.getTime() < deadline.dueAt.getTime()) return { ...deadline, clockPausedAt: null };
  return { ...deadline, startDate, originalDueAt: due, dueAt: due, clockPausedAt: null };
};

export type DeadlineMilestones = {
  /** Nudge the assignee. */
  remindAt: Date;
  /** Tell the privacy officer the deadline is close. */
  escalateAt: Date;
  /** Without an extension, the last moment to decide and notify one (check 33). */
  extensionDecisionBy: Date | null;
};

/**
 * When to remind and escalate: at `hour` o'clock local time, N calendar days before the due day; never before
 * receipt. Null while the clock is paused (the due date is not yet known).
 * @example deadlineMilestones(d) // { remindAt: 7 days before, 09:00 local; escalateAt: 2 days before, 09:00 local }
 */
export const deadlineMilestones = (
  deadline: Deadline,
  opts: { remindDaysBefore?: number; escalateDaysBefore?: number; hour?: number } = {},
): DeadlineMilestones | null => {
  if (deadline.clockPausedAt) return null;
  const { remindDaysBefore = 7, escalateDaysBefore = 2, hour = 9 } = opts;
  const dueDay = zoned(deadline.dueAt, deadline.timeZone);
  const at = (daysBefore: number): Date => {
    const day = dueDay.minus({ days: daysBefore });
    const t = DateTime.fromObject(
      { year: day.year, month: day.month, day: day.day, hour },
      { zone: deadline.timeZone },
    );
    return new Date(Math.max(t.toMillis(), deadline.receivedAt.getTime()));
  };
  return {
    remindAt: at(remindDaysBefore),
    escalateAt: at(escalateDaysBefore),
    extensionDecisionBy: deadline.extension ? null : deadline.originalDueAt,
  };
};
