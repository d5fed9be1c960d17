import { z } from '@hono/zod-openapi';
import { Timestamp } from './common.ts';
import { RequestId, RequestState, RequestType } from './requests.ts';

const Week = z
  .string()
  .openapi({ description: 'Monday starting the week, in the tenant time zone', example: '2026-11-23' });
const TimeZone = z
  .string()
  .openapi({ description: 'The tenant time zone the weeks are cut in', example: 'Europe/Paris' });
const Weeks = z.coerce
  .number()
  .int()
  .min(1)
  .max(52)
  .default(12)
  .openapi({ description: 'How many weeks, the current one last (1–52)' });

/** Counts only — the overview names no one. */
export const ConsentOverview = z
  .object({
    timeZone: TimeZone,
    purposes: z.number().int().openapi({ description: 'Purposes defined' }),
    byPurpose: z.array(
      z.object({
        purpose: z.string(),
        granted: z.number().int(),
        refused: z.number().int(),
        withdrawn: z.number().int(),
        pending: z.number().int(),
      }),
    ),
    weeks: z
      .array(
        z.object({
          week: Week,
          grant: z.number().int(),
          refuse: z.number().int(),
          withdraw: z.number().int(),
        }),
      )
      .openapi({ description: 'Consent decisions recorded per week, oldest first, the current week last' }),
  })
  .openapi('ConsentOverview');
export type ConsentOverview = z.infer<typeof ConsentOverview>;

export const OverviewQuery = z
  .object({
    weeks: Weeks,
    purpose: z.string().max(64).optional().openapi({ description: 'Only this purpose key in the weekly series' }),
  })
  .strict();

export const OverviewWeeksQuery = z.object({ weeks: Weeks }).strict();

/** When an open request is due, seen from now: past its deadline, before the end of this week, or later. */
export const DueBucket = z.enum(['overdue', 'this_week', 'later']);

/** Open requests by deadline and the weekly flow in and out. Ids and types only: no one is named. */
export const RequestsOverview = z
  .object({
    timeZone: TimeZone,
    open: z.object({
      overdue: z.number().int(),
      thisWeek: z.number().int().openapi({ description: 'Due before the end of the current week (not overdue)' }),
      later: z.number().int(),
      soonest: z
        .array(
          z.object({
            id: RequestId,
            types: z.array(RequestType),
            state: RequestState,
            dueAt: Timestamp,
            due: DueBucket,
          }),
        )
        .openapi({ description: 'The open requests with the nearest deadlines (at most 10), soonest first' }),
    }),
    weeks: z
      .array(z.object({ week: Week, received: z.number().int(), closed: z.number().int() }))
      .openapi({ description: 'Requests received and closed per week, oldest first, the current week last' }),
  })
  .openapi('RequestsOverview');
export type RequestsOverview = z.infer<typeof RequestsOverview>;

/** Banner choices per week by the control used; `close` (× or Esc) rejects all optional cookies. */
export const BannerOverview = z
  .object({
    timeZone: TimeZone,
    weeks: z.array(
      z.object({
        week: Week,
        acceptAll: z.number().int(),
        rejectAll: z.number().int(),
        close: z.number().int(),
        custom: z.number().int().openapi({ description: 'Saved their own choices' }),
        allowEmbed: z.number().int().openapi({ description: 'Allowed one embedded service from its placeholder' }),
        gpc: z.number().int().openapi({ description: 'A Global Privacy Control signal, no click' }),
      }),
    ),
  })
  .openapi('BannerOverview');
export type BannerOverview = z.infer<typeof BannerOverview>;
