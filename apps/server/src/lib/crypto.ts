import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from './errors.ts';

/**
 * Envelope encryption. A master key (from LAWFUL_MASTER_KEY, several versions for rotation) wraps one key per
 * tenant; the tenant key wraps one data key per data subject. Destroying a subject's data key makes every copy of
 * that subject's ciphertext unreadable, backups included (crypto-shredding).
 */

const VERSION = 1;
const NONCE = 12;
const TAG = 16;

export type MasterKeyring = { currentId: string; keys: ReadonlyMap<string, Buffer> };

/**
 * Parses `LAWFUL_MASTER_KEY`: one base64 key of 32 bytes, or `id:base64` pairs separated by commas, newest first.
 * @example parseMasterKeys('k2:BASE64,k1:BASE64') // current k2, k1 still opens old wraps
 */
export const parseMasterKeys = (value: string): MasterKeyring => {
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw new Error('LAWFUL_MASTER_KEY is empty');
  const keys = new Map<string, Buffer>();
  let currentId = '';
  for (const [i, part] of parts.entries()) {
    const sep = part.indexOf(':');
    const id = sep > 0 ? part.slice(0, sep) : 'k1';
    const key = Buffer.from(sep > 0 ? part.slice(sep + 1) : part, 'base64');
    if (key.length !== 32) throw new Error(`LAWFUL_MASTER_KEY entry ${i + 1} must be 32 bytes of base64`);
    if (keys.has(id)) throw new Error(`LAWFUL_MASTER_KEY names key id ${id} twice`);
    keys.set(id, key);
    if (i === 0) currentId = id;
  }
  return { currentId, keys };
};

export const newMasterKey = () => randomBytes(32).toString('base64');

/** AES-256-GCM with a fresh random 96-bit nonce; `aad` binds the ciphertext to where it belongs. */
export const seal = (key: Buffer, plaintext: Buffer | string, aad: string): Buffer => {
  const nonce = randomBytes(NONCE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
};

export const open = (key: Buffer, sealed: Buffer, aad: string): Buffer => {
  if (sealed.length < 1 + NONCE + TAG || sealed[0] !== VERSION) throw new Error('not a sealed value');
  const nonce = sealed.subarray(1, 1 + NONCE);
  const tag = sealed.subarray(sealed.length - TAG);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE, sealed.length - TAG)), decipher.final()]);
};

export type WrappedKey = { wrapped: Buffer; masterKeyId: string };

export const wrapWithMaster = (ring: MasterKeyring, key: Buffer, aad: string): WrappedKey => ({
  wrapped: seal(ring.keys.get(ring.currentId)!, key, aad),
  masterKeyId: ring.currentId,
});

export const unwrapWithMaster = (ring: MasterKeyring, w: WrappedKey, aad: string): Buffer => {
  const master = ring.keys.get(w.masterKeyId);
  if (!master) {
    throw new AppError(
      'INTERNAL',
      `master key ${w.masterKeyId} is not in LAWFUL_MASTER_KEY; add it back (after the current key) to read old data`,
    );
  }
  return open(master, w.wrapped, aad);
};

export const newDataKey = () => randomBytes(32);

/** Normalises an identifier before it is indexed, so `Ada@Example.com ` and `ada@example.com` match. */
export const normaliseIdentifier = (kind: string, value: string): string => {
  const v = value.normalize('NFKC').trim();
  switch (kind) {
    case 'email':
      return v.toLowerCase();
    case 'phone':
      return v.replace(/[^\d+]/g, '');
    default:
      return v;
  }
};

/** Keyed HMAC blind index: lookups by identifier without storing it in clear. */
export const blindIndex = (indexKey: Buffer, kind: string, value: string): string =>
  createHmac('sha256', indexKey)
    .update(`${kind}\0${normaliseIdentifier(kind, value)}`)
    .digest('base64url');

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** API keys: 256 random bits, base64url, with a readable prefix. Stored as SHA-256 (the secret has full entropy). */
export const newApiKeySecret = (role: string) => {
  const tag = role === 'publishable' ? 'pk' : 'sk';
  return `lf_${tag}_${randomBytes(32).toString('base64url')}`;
};
export const hashApiKey = (secret: string) => sha256Hex(secret);
export const apiKeyPrefix = (secret: string) => secret.slice(0, 12);

export const safeEqual = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
