import type { ApiKey, CreateApiKey, CreatedApiKey, Role } from '@lawful/contract';
import { sql } from 'drizzle-orm';
import type { Database, Queryable } from '../../db/client.ts';
import type { Clock } from '../../lib/clock.ts';
import { apiKeyPrefix, hashApiKey, newApiKeySecret } from '../../lib/crypto.ts';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { AuditLog } from '../audit/audit.service.ts';
import type { ApiKeyRow, KeysRepo } from './keys.repo.ts';

export type Principal = { tenantId: string; keyId: string; role: Role };

const toApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdAt: r.createdAt.toISOString(),
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null,
});

// Writing last_used_at on every request would turn every read into a write; once a minute is enough to see use.
const TOUCH_EVERY_MS = 60_000;
// Resolved keys are remembered briefly; a revocation is announced (NOTIFY) to every process, which forgets at once.
const CACHE_MS = 10_000;
export const KEYS_CHANNEL = 'lawful_keys_revoked';

export const createKeysService = (deps: {
  db: Database;
  repo: KeysRepo;
  audit: Pick<AuditLog, 'append'>;
  clock: Clock;
}) => {
  const { db, repo, audit, clock } = deps;
  const cache = new Map<string, { principal: Principal; until: number }>();
  const forget = (hash: string) => cache.delete(hash);
  let listening = true;
  // While the channel is down a revocation elsewhere would go unheard: forget every key and cache none until it is
  // back (keys are read from the database meanwhile).
  const onGap = (up: boolean) => {
    listening = up;
    cache.clear();
  };
  void db.listen(KEYS_CHANNEL, forget, onGap).catch(() => {
    // Without the channel a revocation on another process would wait for the cache to expire: do not cache.
    listening = false;
    cache.clear();
  });

  /** Creates a key inside the caller's transaction; the secret is returned once and never stored. */
  const createIn = async (
    tx: Queryable,
    tenantId: string,
    input: CreateApiKey,
    actor: string,
  ): Promise<CreatedApiKey> => {
    const secret = newApiKeySecret(input.role);
    const now = clock.now();
    const row = {
      tenantId,
      id: newId('key', now.getTime()),
      name: input.name,
      role: input.role,
      prefix: apiKeyPrefix(secret),
      hash: hashApiKey(secret),
      createdBy: actor,
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
    };
    await repo.insert(tx, row);
    await audit.append(tx, tenantId, { actor, action: 'key.create', target: row.id, details: { role: input.role } });
    return { ...toApiKey(row), secret };
  };

  return {
    createIn,
    create: (tenantId: string, input: CreateApiKey, actor: string) =>
      db.tenant(tenantId, (tx) => createIn(tx, tenantId, input, actor)),
    list: (tenantId: string) => db.tenant(tenantId, async (tx) => (await repo.list(tx, tenantId)).map(toApiKey)),
    get: (tenantId: string, id: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.get(tx, tenantId, id);
        if (!row) throw notFound('key');
        return toApiKey(row);
      }),
    revoke: (tenantId: string, id: string, actor: string) =>
      db.tenant(tenantId, async (tx) => {
        const row = await repo.revoke(tx, tenantId, id, clock.now());
        if (!row) {
          const existing = await repo.get(tx, tenantId, id);
          if (!existing) throw notFound('key');
          return toApiKey(existing); // already revoked: revoking again changes nothing
        }
        await audit.append(tx, tenantId, { actor, action: 'key.revoke', target: id });
        await tx.execute(sql`select pg_notify(${KEYS_CHANNEL}, ${row.hash})`);
        forget(row.hash);
        return toApiKey(row);
      }),
    /** Resolves a presented secret to its tenant and role, or null. */
    async authenticate(secret: string): Promise<Principal | null> {
      if (!/^lf_(sk|pk)_[A-Za-z0-9_-]{43}$/.test(secret)) return null;
      const hash = hashApiKey(secret);
      const hit = cache.get(hash);
      if (hit && hit.until > Date.now()) return hit.principal;
      const row = await repo.findActiveByHash(db.system, hash);
      if (!row) return null;
      const now = clock.now();
      if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
        await repo.touch(db.system, row.tenantId, row.id, now);
      }
      const principal = { tenantId: row.tenantId, keyId: row.id, role: row.role };
      if (listening) cache.set(hash, { principal, until: Date.now() + CACHE_MS });
      return principal;
    },
  };
};
export type KeysService = ReturnType<typeof createKeysService>;
