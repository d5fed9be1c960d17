import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorityDeadline, deadlineView, dueReminders, formatInZone } from './breaches.deadline.ts';

const zones = [
  'UTC',
  'Europe/Paris',
  'Europe/London',
  'America/New_York',
  'America/Santiago',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
];

// Independent of formatToParts: the offset as Intl names it ("GMT+05:30", "GMT" for zero).
const offsetByName = (at: Date, tz: string): number => {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name);
  if (!m) throw new Error(`unexpected offset name ${name}`);
  return m[1] ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
};

// Reads "2025-04-01 11:00 (Europe/Paris, UTC+02:00)" back into the instant it names (to the minute).
const parseLocal = (s: string) => {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) \((.+), UTC([+-])(\d{2}):(\d{2})\)$/.exec(s);
  if (!m) throw new Error(`unparseable ${s}`);
  const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return { instant: wall - offset * 60_000, offset, zone: m[6] };
};

describe('the 72-hour clock (check 52, Art. 33(1))', () => {
  it('check 52: the deadline is exactly 72 elapsed hours later, and its local rendering names that instant, in any zone (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom(...zones),
        (aware, tz) => {
          const v = deadlineView(aware, tz, aware);
          const due = new Date(v.at);
          expect(due.getTime() - aware.getTime()).toBe(72 * 3_600_000);
          const back = parseLocal(v.local);
          expect(back.zone).toBe(tz);
          expect(back.offset).toBe(offsetByName(due, tz));
          expect(back.instant).toBe(Math.floor(due.getTime() / 60_000) * 60_000);
          expect(v.hoursRemaining).toBe(72);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('check 52: across the spring change in Paris the local deadline moves an hour later on the wall clock', () => {
    const aware = new Date('2025-03-29T09:00:00Z'); // 10:00 CET, the day before clocks go forward
    expect(authorityDeadline(aware).toISOString()).toBe('2025-04-01T09:00:00.000Z');
    expect(formatInZone(aware, 'Europe/Paris')).toBe('2025-03-29 10:00 (Europe/Paris, UTC+01:00)');
    expect(deadlineView(aware, 'Europe/Paris', aware).local).toBe('2025-04-01 11:00 (Europe/Paris, UTC+02:00)');
  });

  it('check 52: across the autumn change in New York the local deadline moves an hour earlier', () => {
    const aware = new Date('2025-10-31T14:00:00Z'); // 10:00 EDT; clocks go back on 2 November
    expect(deadlineView(aware, 'America/New_York', aware).local).toBe('2025-11-03 09:00 (America/New_York, UTC-05:00)');
  });

  it('check 52: inside the repeated autumn hour the offset keeps the two 01:30s apart', () => {
    const first = formatInZone(new Date('2025-11-02T05:30:00Z'), 'America/New_York');
    const second = formatInZone(new Date('2025-11-02T06:30:00Z'), 'America/New_York');
    expect(first).toBe('2025-11-02 01:30 (America/New_York, UTC-04:00)');
    expect(second).toBe('2025-11-02 01:30 (America/New_York, UTC-05:00)');
  });

  it('an unknown zone falls back to UTC; overdue counts negative hours', () => {
    const aware = new Date('2026-01-01T00:00:00Z');
    const v = deadlineView(aware, 'Mars/Olympus', new Date('2026-01-04T06:00:00Z'));
    expect(v.timeZone).toBe('UTC');
    expect(v.hoursRemaining).toBe(-6);
    expect(v.overdue).toBe(true);
  });

  it('reminders fall due at 24, 48 and 66 hours, each once', () => {
    const aware = new Date('2026-01-01T00:00:00Z');
    const at = (h: number) => new Date(aware.getTime() + h * 3_600_000);
    expect(dueReminders(aware, at(23.9), [])).toEqual([]);
    expect(dueReminders(aware, at(24), [])).toEqual([24]);
    expect(dueReminders(aware, at(50), [24])).toEqual([48]);
    expect(dueReminders(aware, at(70), [])).toEqual([24, 48, 66]);
    expect(dueReminders(aware, at(70), [24, 48, 66])).toEqual([]);
  });
});
