import { z } from '@hono/zod-openapi';

/** Prefixed, time-sortable identifier, e.g. `tnt_01JD…`. */
export const prefixedId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be a ${prefix}_… id`)
    .openapi({ example: `${prefix}_01JDQ2M3ZV9G7X6S5R4Q3P2N1M` });

export const Timestamp = z.string().datetime({ offset: true }).openapi({ example: '2026-11-29T10:00:00.000Z' });

export const Page = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const listOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
