import { hkdfSync } from 'node:crypto';
import { type Db, forgetInTx, inTx, type Queryable } from '../../db/client.ts';
import {
  blindIndex,
  type MasterKeyring,
  newDataKey,
  open,
  seal,
  unwrapWithMaster,
  wrapWithMaster,
} from '../../lib/crypto.ts';
import type { VaultRepo } from './vault.repo.ts';

type TenantKeys = { key: Buffer; indexKey: Buffer };

/**
 * The key hierarchy: master key → tenant key (+ tenant blind-index key) → one data key per subject.
 * Personal data Lawful stores is sealed under the subject's data key; erasing a subject destroys that key.
 */
export const createVault = (deps: { master: MasterKeyring; repo: VaultRepo; clock: { now(): Date } }) => {
  const { master, repo } = deps;
  const cache = new Map<string, TenantKeys>();

  const tenantKeys = async (q: Queryable, tenantId: string): Promise<TenantKeys> => {
    const hit = cache.get(tenantId);
    if (hit) return hit;
    const row = await repo.tenantKeys(q, tenantId);
    if (!row) throw new Error(`tenant ${tenantId} has no keys`);
    const keys = {
      key: unwrapWithMaster(master, { wrapped: row.keyWrapped, masterKeyId: row.masterKeyId }, `tenant:${tenantId}`),
      indexKey: unwrapWithMaster(
        master,
        { wrapped: row.indexKeyWrapped, masterKeyId: row.masterKeyId },
        `tenant-index:${tenantId}`,
      ),
    };
    cache.set(tenantId, keys);
    return keys;
  };

  /** Where a subject's unwrapped data key is remembered for the rest of a transaction (`inTx`). */
  const memoKey = (tenantId: string, subjectId: string) => `subject-key:${tenantId}:${subjectId}`;
  const subjectAad = (tenantId: string, subjectId: string) => `subject:${tenantId}:${subjectId}`;
  /** A stored key row's data key: null once the subject has been crypto-shredded (`wrapped` destroyed). */
  const unwrapSubjectKey = (key: Buffer, tenantId: string, subjectId: string, wrapped: Buffer | null) =>
    wrapped ? open(key, wrapped, subjectAad(tenantId, subjectId)) : null;

  /** Returns the subject's data key, creating it on first use; null once the subject has been crypto-shredded. */
  const subjectKey = (q: Queryable, tenantId: string, subjectId: string): Promise<Buffer | null> =>
    inTx(q, memoKey(tenantId, subjectId), async () => {
      const { key } = await tenantKeys(q, tenantId);
      const row = await repo.subjectKey(q, tenantId, subjectId);
      if (row) return unwrapSubjectKey(key, tenantId, subjectId, row.wrapped);
      const dek = newDataKey();
      const sealed = seal(key, dek, subjectAad(tenantId, subjectId));
      if (await repo.insertSubjectKey(q, tenantId, subjectId, sealed, deps.clock.now())) return dek;
      // Another transaction won the race: read back the key it kept.
      const kept = await repo.subjectKey(q, tenantId, subjectId);
      return unwrapSubjectKey(key, tenantId, subjectId, kept?.wrapped ?? null);
    });

  const fieldAad = (tenantId: string, subjectId: string, field: string) => `${tenantId}:${subjectId}:${field}`;

  return {
    /** Fresh keys for a new tenant, wrapped for storage. */
    newTenantKeys(tenantId: string) {
      const k = wrapWithMaster(master, newDataKey(), `tenant:${tenantId}`);
      const i = wrapWithMaster(master, newDataKey(), `tenant-index:${tenantId}`);
      return { keyWrapped: k.wrapped, indexKeyWrapped: i.wrapped, masterKeyId: k.masterKeyId };
    },
    /** The tenant's raw keys, for a tenant archive (which seals them under its passphrase). */
    tenantKeyMaterial: (q: Queryable, tenantId: string) => tenantKeys(q, tenantId),
    /** Wraps keys carried in by a tenant archive under this install's master key, for the imported tenant row. */
    wrapTenantKeys(tenantId: string, keys: TenantKeys) {
      const k = wrapWithMaster(master, keys.key, `tenant:${tenantId}`);
      const i = wrapWithMaster(master, keys.indexKey, `tenant-index:${tenantId}`);
      return { keyWrapped: k.wrapped, indexKeyWrapped: i.wrapped, masterKeyId: k.masterKeyId };
    },
    async blindIndex(q: Queryable, tenantId: string, kind: string, value: string) {
      return blindIndex((await tenantKeys(q, tenantId)).indexKey, kind, value);
    },
    async encrypt(q: Queryable, tenantId: string, subjectId: string, field: string, plaintext: string) {
      const dek = await subjectKey(q, tenantId, subjectId);
      if (!dek) throw new Error(`subject ${subjectId} is erased; nothing may be stored for it`);
      return seal(dek, plaintext, fieldAad(tenantId, subjectId, field));
    },
    /** null when the subject has been crypto-shredded: the value is gone for good. */
    async decrypt(q: Queryable, tenantId: string, subjectId: string, field: string, sealed: Buffer) {
      const dek = await subjectKey(q, tenantId, subjectId);
      return dek ? open(dek, sealed, fieldAad(tenantId, subjectId, field)).toString('utf8') : null;
    },
    /**
     * Reads the data keys of many subjects in one statement and remembers them for the rest of the transaction, so
     * that decrypting a page of people is one key query, not one per person. Subjects without a key are left to
     * `subjectKey` (it creates one on first use); outside a transaction nothing is remembered, so it does nothing.
     */
    async preloadSubjectKeys(q: Queryable, tenantId: string, subjectIds: string[]) {
      if (!('rollback' in q) || subjectIds.length === 0) return;
      const { key } = await tenantKeys(q, tenantId);
      for (const r of await repo.subjectKeysOf(q, tenantId, subjectIds)) {
        void inTx(q, memoKey(tenantId, r.subjectId), async () =>
          unwrapSubjectKey(key, tenantId, r.subjectId, r.wrapped),
        );
      }
    },
    /** Seals a tenant-level secret (not about a subject, e.g. a webhook signing secret) under the tenant key. */
    async sealForTenant(q: Queryable, tenantId: string, field: string, plaintext: string) {
      return seal((await tenantKeys(q, tenantId)).key, plaintext, `tenant-field:${tenantId}:${field}`);
    },
    async openForTenant(q: Queryable, tenantId: string, field: string, sealed: Buffer) {
      return open((await tenantKeys(q, tenantId)).key, sealed, `tenant-field:${tenantId}:${field}`).toString('utf8');
    },
    /**
     * A key derived from the tenant key for one use (HKDF-SHA256), e.g. the tenant's receipt-signing seed or the
     * preference-link HMAC key: nothing extra to store, and gone when the tenant key is shredded.
     */
    async tenantDerivedKey(q: Queryable, tenantId: string, use: string) {
      return Buffer.from(
        hkdfSync('sha256', (await tenantKeys(q, tenantId)).key, Buffer.from(tenantId), `lawful:${use}`, 32),
      );
    },
    /** Destroys the subject's data key: every ciphertext under it, in every copy, becomes unreadable. */
    shred: (q: Queryable, tenantId: string, subjectId: string) => {
      forgetInTx(q, memoKey(tenantId, subjectId));
      return repo.destroySubjectKey(q, tenantId, subjectId, deps.clock.now());
    },
    /** Re-wraps every tenant key under the current master key; old master keys can then be retired. */
    async rotateMaster(db: Db) {
      let rewrapped = 0;
      for (const t of await repo.allTenantKeys(db)) {
        if (t.masterKeyId === master.currentId) continue;
        const key = unwrapWithMaster(master, { wrapped: t.keyWrapped, masterKeyId: t.masterKeyId }, `tenant:${t.id}`);
        const idx = unwrapWithMaster(
          master,
          { wrapped: t.indexKeyWrapped, masterKeyId: t.masterKeyId },
          `tenant-index:${t.id}`,
        );
        const k = wrapWithMaster(master, key, `tenant:${t.id}`);
        const i = wrapWithMaster(master, idx, `tenant-index:${t.id}`);
        await repo.rewrapTenant(db, t.id, k.wrapped, i.wrapped, k.masterKeyId);
        rewrapped++;
      }
      return { rewrapped, current: master.currentId };
    },
    forgetTenant(tenantId: string) {
      cache.delete(tenantId);
    },
  };
};
export type Vault = ReturnType<typeof createVault>;
