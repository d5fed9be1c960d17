import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blindIndex,
  newApiKeySecret,
  newDataKey,
  newMasterKey,
  open,
  parseMasterKeys,
  seal,
  unwrapWithMaster,
  wrapWithMaster,
} from './crypto.ts';

describe('crypto (check 63)', () => {
  it('seal/open round-trips any text and binds it to its context', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), (text, aad) => {
        const key = newDataKey();
        const sealed = seal(key, text, aad);
        expect(open(key, sealed, aad).toString('utf8')).toBe(text);
        expect(() => open(key, sealed, `${aad}x`)).toThrow();
      }),
      { numRuns: 200 },
    );
  });

  it('check 63: every seal uses a fresh nonce', () => {
    const key = newDataKey();
    const nonces = new Set(Array.from({ length: 2000 }, () => seal(key, 'same', 'a').subarray(1, 13).toString('hex')));
    expect(nonces.size).toBe(2000);
  });

  it('a flipped bit anywhere is detected', () => {
    const key = newDataKey();
    const sealed = seal(key, 'ada@example.com', 'ctx');
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i]! ^= 1;
      expect(() => open(key, bad, 'ctx')).toThrow();
    }
  });

  it('check 63: rotation — a new master key wraps, old ones still unwrap, unknown ids say what to do', () => {
    const k1 = newMasterKey();
    const k2 = newMasterKey();
    const old = parseMasterKeys(`k1:${k1}`);
    const wrapped = wrapWithMaster(old, newDataKey(), 'tenant:x');
    const rotated = parseMasterKeys(`k2:${k2},k1:${k1}`);
    expect(rotated.currentId).toBe('k2');
    expect(unwrapWithMaster(rotated, wrapped, 'tenant:x')).toHaveLength(32);
    expect(() => unwrapWithMaster(parseMasterKeys(`k2:${k2}`), wrapped, 'tenant:x')).toThrow(/add it back/);
    expect(() => parseMasterKeys('short')).toThrow(/32 bytes/);
  });

  it('check 63: blind indexes are keyed and see through case and spacing', () => {
    const k = newDataKey();
    expect(blindIndex(k, 'email', ' Ada@Example.COM ')).toBe(blindIndex(k, 'email', 'ada@example.com'));
    expect(blindIndex(k, 'phone', '+33 6 12-34')).toBe(blindIndex(k, 'phone', '+3361234'));
    expect(blindIndex(newDataKey(), 'email', 'ada@example.com')).not.toBe(blindIndex(k, 'email', 'ada@example.com'));
    expect(blindIndex(k, 'email', 'a')).not.toBe(blindIndex(k, 'user_id', 'a'));
  });

  it('check 57: API key secrets carry 256 random bits', () => {
    const s = newApiKeySecret('admin');
    expect(Buffer.from(s.slice(6), 'base64url')).toHaveLength(32);
    expect(newApiKeySecret('publishable')).toMatch(/^lf_pk_/);
  });
});
