import { asc } from 'drizzle-orm';
import type { Queryable } from '../../db/client.ts';
import { subprocessorLists } from '../../db/schema/index.ts';

export type SubprocessorListRow = typeof subprocessorLists.$inferSelect;

/** Install-wide rows: always read and written through the owner connection (`db.system`). */
export const createSubprocessorsRepo = () => ({
  insert: async (q: Queryable, row: SubprocessorListRow) => {
    await q.insert(subprocessorLists).values(row);
  },
  all: (q: Queryable) =>
    q.select().from(subprocessorLists).orderBy(asc(subprocessorLists.effectiveAt), asc(subprocessorLists.id)),
});
export type SubprocessorsRepo = ReturnType<typeof createSubprocessorsRepo>;
