import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countShare, shares } from '../src/screens/overview-rates.ts';

describe('consent decision shares', () => {
  it('gives each kind its share of the week in whole percent', () => {
    expect(shares({ grant: 5, refuse: 2, withdraw: 1 })).toEqual({ grant: 63, refuse: 25, withdraw: 12 });
    expect(shares({ grant: 1, refuse: 1, withdraw: 1 })).toEqual({ grant: 34, refuse: 33, withdraw: 33 });
    expect(shares({ grant: 0, refuse: 3, withdraw: 0 })).toEqual({ grant: 0, refuse: 100, withdraw: 0 });
  });
  it('a week without decisions has no rate, not 0%', () => {
    expect(shares({ grant: 0, refuse: 0, withdraw: 0 })).toBeNull();
  });
  it('the shares always add up to 100 and stay within 1 point of the exact share', () => {
    const n = fc.nat({ max: 10_000 });
    fc.assert(
      fc.property(n, n, n, (grant, refuse, withdraw) => {
        const s = shares({ grant, refuse, withdraw });
        const total = grant + refuse + withdraw;
        if (total === 0) return s === null;
        if (!s) return false;
        return (
          s.grant + s.refuse + s.withdraw === 100 &&
          Math.abs(s.grant - (grant * 100) / total) < 1 &&
          Math.abs(s.refuse - (refuse * 100) / total) < 1 &&
          Math.abs(s.withdraw - (withdraw * 100) / total) < 1
        );
      }),
    );
  });
  it('writes a count with its share', () => {
    expect(countShare(5, 63)).toBe('5 (63%)');
    expect(countShare(0, undefined)).toBe('0');
  });
});
