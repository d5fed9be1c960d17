import { eq } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { ropaControllers } from '../../db/schema/index.ts';

export const createRopaRepo = () => ({
  get: async (q: Queryable, tenantId: string) => {
    const [row] = await q.select().from(ropaControllers).where(eq(ropaControllers.tenantId, tenantId));
    return row;
  },
  put: async (q: Queryable, row: typeof ropaControllers.$inferSelect) => {
    const { tenantId, ...rest } = row;
    await q
      .insert(ropaControllers)
      .values(row)
      .onConflictDoUpdate({ target: [ropaControllers.tenantId], set: rest });
  },
});
export type RopaRepo = ReturnType<typeof createRopaRepo>;
