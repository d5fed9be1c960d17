import { afterAll } from 'vitest';

/**
 * A transaction is one connection, which runs one statement at a time. Queries sent at once on it (a `Promise.all`
 * inside `db.tenant`) are queued by node-postgres, which deprecates that (gone in pg 9) and warns from the third one
 * on. The warning is emitted once per process: the test file where it first happens fails, with the caller's stack.
 */
const seen: string[] = [];
process.on('warning', (w) => {
  if (/already executing a query/.test(w.message)) seen.push(w.stack ?? w.message);
});

afterAll(() => {
  if (seen.length > 0) throw new Error(`two statements were sent at once on one connection:\n${seen[0]}`);
});
