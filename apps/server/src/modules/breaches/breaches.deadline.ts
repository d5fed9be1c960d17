/**
 * The Art. 33(1) clock: "not later than 72 hours after having become aware of it". Hours are elapsed hours, so the
 * deadline is computed on the UTC instant and only *shown* in the tenant's time zone: across a daylight-saving change
 * the local wall time of the deadline moves by an hour, the elapsed time does not.
 */

export const AUTHORITY_HOURS = 72;
/** Reminders before the authority deadline, in hours after awareness. */
export const REMINDER_HOURS = [24, 48, 66] as const;

const HOUR = 3_600_000;

/** @example authorityDeadline(new Date('2025-03-29T09:00:00Z')) // 2025-04-01T09:00:00.000Z */
export const authorityDeadline = (awareAt: Date): Date => new Date(awareAt.getTime() + AUTHORITY_HOURS * HOUR);

const pad = (n: number) => String(n).padStart(2, '0');

/** The UTC offset of `tz` at `at`, in minutes east of UTC, read from the wall clock Intl gives for that instant. */
export const offsetMinutes = (at: Date, tz: string): number => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(at);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((wall - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
};

/**
 * The instant written as local wall time with its zone and offset, e.g. `2025-04-01 11:00 (Europe/Paris, UTC+02:00)`.
 * Unambiguous even in the repeated hour of an autumn change, because the offset is part of it.
 */
export const formatInZone = (at: Date, tz: string): string => {
  const off = offsetMinutes(at, tz);
  const local = new Date(at.getTime() + off * 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const date = `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}`;
  return `${date} ${time} (${tz}, UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)})`;
};

/** Whether `tz` names a zone this runtime knows (tenant settings are free text). */
export const knownZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export type DeadlineView = { at: string; local: string; timeZone: string; hoursRemaining: number; overdue: boolean };

/** The countdown as the API shows it; `hoursRemaining` is rounded to a tenth and negative once overdue. */
export const deadlineView = (awareAt: Date, tz: string, now: Date): DeadlineView => {
  const zone = knownZone(tz) ? tz : 'UTC';
  const due = authorityDeadline(awareAt);
  const remaining = (due.getTime() - now.getTime()) / HOUR;
  return {
    at: due.toISOString(),
    local: formatInZone(due, zone),
    timeZone: zone,
    hoursRemaining: Math.round(remaining * 10) / 10,
    overdue: remaining < 0,
  };
};

/** Milestones reached by `now` and not yet reminded of, highest last. */
export const dueReminders = (awareAt: Date, now: Date, sent: readonly number[]): number[] =>
  REMINDER_HOURS.filter((h) => !sent.includes(h) && now.getTime() >= awareAt.getTime() + h * HOUR);
