import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { period } from '../src/ui/format.ts';

describe('period', () => {
  it('says ISO 8601 periods as people do', () => {
    expect(period('P2Y')).toBe('2 years');
    expect(period('P1Y6M')).toBe('1 year 6 months');
    expect(period('P1W')).toBe('1 week');
    expect(period('P30D')).toBe('30 days');
  });
  it('leaves anything else as it is', () => {
    expect(period('PT5H')).toBe('PT5H');
    expect(period('P')).toBe('P');
    fc.assert(fc.property(fc.string(), (s) => typeof period(s) === 'string' && period(s).length > 0 === s.length > 0));
  });
});
