import type { SetSubprocessors, Subprocessor, SubprocessorListVersion, SubprocessorView } from '@lawful/contract';
import type { Database, Tx } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { AppError, notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { WebhooksService } from '../webhooks/webhooks.service.ts';
import type { SubprocessorListRow, SubprocessorsRepo } from './subprocessors.repo.ts';

export const DEFAULT_NOTICE_DAYS = 30;
const DAY = 86_400_000;

const toVersion = (r: SubprocessorListRow): SubprocessorListVersion => ({
  id: r.id,
  effectiveAt: r.effectiveAt.toISOString(),
  announcedAt: r.announcedAt.toISOString(),
  subprocessors: r.entries,
});

/** What changes between two lists, by name: added, removed, and kept with another country, purpose or safeguard. */
export const diffLists = (before: readonly Subprocessor[], after: readonly Subprocessor[]) => {
  const old = new Map(before.map((s) => [s.name, s]));
  const now = new Map(after.map((s) => [s.name, s]));
  const same = (a: Subprocessor, b: Subprocessor) =>
    a.country === b.country &&
    a.purpose === b.purpose &&
    a.details === b.details &&
    [...a.safeguards].sort().join() === [...b.safeguards].sort().join();
  return {
    added: after.filter((s) => !old.has(s.name)).map((s) => s.name),
    removed: before.filter((s) => !now.has(s.name)).map((s) => s.name),
    changed: after.filter((s) => old.has(s.name) && !same(old.get(s.name)!, s)).map((s) => s.name),
  };
};

/**
 * The install's sub-processors (Art. 28(2), (4); check 53): one list for every tenant, versioned. A change is
 * announced to each tenant (webhook + audit) at least the notice period before it takes effect, so a tenant can
 * object before the new sub-processor touches its data.
 */
export const createSubprocessorsService = (deps: {
  db: Database;
  repo: SubprocessorsRepo;
  audit: Pick<AuditLog, 'append'>;
  webhooks: Pick<WebhooksService, 'emit'>;
  clock: Clock;
  tenants: () => Promise<{ id: string; name: string; slug: string }[]>;
  tenantBySlug: (slug: string) => Promise<{ id: string; name: string } | null>;
}) => {
  const { db, repo, clock } = deps;

  const split = (rows: SubprocessorListRow[], at: Date) => {
    const current = rows.filter((r) => r.effectiveAt.getTime() <= at.getTime()).at(-1) ?? null;
    const upcoming = rows.filter((r) => r.effectiveAt.getTime() > at.getTime());
    return { current, upcoming };
  };

  const state = async (at: Date) => split(await repo.all(db.system), at);

  return {
    /** The list as it stands at `at` and the announced changes after it. */
    async lists(at: Date = clock.now()) {
      const { current, upcoming } = await state(at);
      return { current: current ? toVersion(current) : null, upcoming: upcoming.map(toVersion) };
    },
    /** The public page's data for one tenant; an unknown slug is a 404 (the same for every unknown name). */
    async viewFor(slug: string): Promise<SubprocessorView> {
      const t = await deps.tenantBySlug(slug);
      if (!t) throw notFound('organisation');
      const { current, upcoming } = await state(clock.now());
      return { organisation: t.name, current: current ? toVersion(current) : null, upcoming: upcoming.map(toVersion) };
    },
    /**
     * Sets the next list. The first list takes effect at once; a change takes effect no sooner than
     * `noticeDays` from now (default 30) and is announced to every tenant now.
     */
    async set(input: SetSubprocessors, actor: string, opts: { noticeDays?: number } = {}) {
      const noticeDays = opts.noticeDays ?? DEFAULT_NOTICE_DAYS;
      const now = clock.now();
      const rows = await repo.all(db.system);
      const first = rows.length === 0;
      const earliest = first ? now : new Date(now.getTime() + noticeDays * DAY);
      const effectiveAt = input.effectiveAt ? new Date(input.effectiveAt) : earliest;
      if (effectiveAt.getTime() < earliest.getTime()) {
        throw new AppError(
          'RULE_VIOLATION',
          `a change takes effect at least ${noticeDays} days after it is announced (from ${earliest.toISOString()})`,
          { field: 'effectiveAt' },
        );
      }
      const previous = rows.at(-1)?.entries ?? [];
      const diff = diffLists(previous, input.subprocessors);
      const row: SubprocessorListRow = {
        id: newId('subprocessorList', now.getTime()),
        entries: input.subprocessors,
        effectiveAt,
        announcedAt: now,
        createdBy: actor,
      };
      await repo.insert(db.system, row);
      const tenants = await deps.tenants();
      for (const t of tenants) {
        await db.tenant(t.id, async (tx: Tx) => {
          await deps.audit.append(tx, t.id, {
            actor,
            action: 'subprocessors.changed',
            target: row.id,
            details: { effectiveAt: effectiveAt.toISOString(), ...diff },
          });
          await deps.webhooks.emit(tx, t.id, {
            type: 'subprocessors.changed',
            data: { listId: row.id, effectiveAt: effectiveAt.toISOString(), ...diff, at: now.toISOString() },
          });
        });
      }
      return { version: toVersion(row), ...diff, announcedTo: tenants.length };
    },
  };
};
export type SubprocessorsService = ReturnType<typeof createSubprocessorsService>;
