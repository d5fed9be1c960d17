import { z } from '@hono/zod-openapi';

/** Counts only — the overview names no one. */
export const ConsentOverview = z
  .object({
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
          week: z.string().openapi({ description: 'Monday (UTC) starting the week', example: '2026-11-23' }),
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
    weeks: z.coerce.number().int().min(1).max(104).default(12),
    purpose: z.string().max(64).optional().openapi({ description: 'Only this purpose key in the weekly series' }),
  })
  .strict();
