import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ChainEntry, canonicalJson, createChainVerifier, entryHash, GENESIS } from './hash-chain.ts';

const chain = (n: number): ChainEntry[] => {
  const out: ChainEntry[] = [];
  let prev = GENESIS;
  for (let i = 1; i <= n; i++) {
    const c = {
      tenantId: 'tnt_x',
      seq: i,
      id: `aud_${i}`,
      at: new Date(1_700_000_000_000 + i).toISOString(),
      actor: 'key_1',
      action: 'consent.grant',
      target: null,
      subjectId: `sub_${i % 7}`,
      requestId: null,
      details: { n: i },
    };
    const hash = entryHash(prev, c);
    out.push({ ...c, prevHash: prev, hash });
    prev = hash;
  }
  return out;
};

describe('hash chain (check 61)', () => {
  it('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('verifies an intact chain fed in any batch sizes', () => {
    const c = chain(50);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1 }), (sizes) => {
        const v = createChainVerifier();
        let i = 0;
        let k = 0;
        while (i < c.length) {
          const n = sizes[k++ % sizes.length]!;
          expect(v.push(c.slice(i, i + n))).toBeNull();
          i += n;
        }
        expect(v.count).toBe(50);
      }),
    );
  });

  it('names the first edited, deleted or reordered entry, wherever it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 29 }), fc.constantFrom('edit', 'delete', 'swap'), (at, how) => {
        const c = chain(30);
        if (how === 'edit') c[at - 1] = { ...c[at - 1]!, details: { n: -1 } };
        if (how === 'delete') c.splice(at - 1, 1);
        // In storage, rows are read in seq order: a reordering swaps contents under the same seq numbers.
        if (how === 'swap')
          [c[at - 1], c[at]] = [
            { ...c[at]!, seq: at },
            { ...c[at - 1]!, seq: at + 1 },
          ];
        const fault = createChainVerifier().push(c);
        expect(fault).not.toBeNull();
        expect(fault!.seq).toBe(at);
        expect(fault!.reason).toBe(how === 'edit' ? 'edited' : how === 'delete' ? 'missing' : 'reordered');
      }),
    );
  });
});
