// Runtime values come from the contract source until packages/contract/src/index.ts re-exports requests.ts.

import { describe, expect, it } from 'vitest';
import { JurisdictionCode } from '../../../../../packages/contract/src/requests.ts';
import { AppError } from '../../lib/errors.ts';
import { assertFeeAllowed, describePeriod, jurisdictionProfile, jurisdictions } from './requests.jurisdictions.ts';

describe('jurisdiction profiles', () => {
  it('cover every jurisdiction code tenants can choose', () => {
    expect(Object.keys(jurisdictions).sort()).toEqual([...JurisdictionCode.options].sort());
    for (const code of JurisdictionCode.options) expect(jurisdictionProfile(code).code).toBe(code);
  });

  it('check 37: only the UK pauses the clock for identity', () => {
    expect(JurisdictionCode.options.filter((c) => jurisdictionProfile(c).pausesClockForIdentity)).toEqual(['uk']);
  });

  it('check 33: GDPR regimes allow one month plus two; California 45 plus 45 days', () => {
    for (const code of ['eu', 'uk', 'fr', 'de'] as const) {
      const p = jurisdictionProfile(code);
      expect([describePeriod(p.responsePeriod), describePeriod(p.maxExtension)]).toEqual(['1 month', '2 months']);
    }
    const ca = jurisdictionProfile('us-ca');
    expect([describePeriod(ca.responsePeriod), describePeriod(ca.maxExtension)]).toEqual(['45 days', '45 days']);
  });

  it('every profile names a complaint authority by text key', () => {
    for (const code of JurisdictionCode.options) {
      const { nameKey, urlKey } = jurisdictionProfile(code).complaintAuthority;
      expect(nameKey).toBe(`authority.${code}.name`);
      expect(urlKey).toBe(`authority.${code}.url`);
    }
  });

  it('refuses an unknown code', () => {
    expect(() => jurisdictionProfile('xx' as JurisdictionCode)).toThrow(AppError);
  });
});

describe('assertFeeAllowed', () => {
  const eu = jurisdictionProfile('eu');
  const finding = {
    basis: 'manifestly_excessive' as const,
    explanation: 'Fifth identical request this month',
    recordedBy: 'key_1',
  };

  it('check 35: free of charge without a recorded finding', () => {
    expect(() => assertFeeAllowed(eu, null)).toThrow(/free of charge/);
    expect(() => assertFeeAllowed(eu, undefined)).toThrow(AppError);
  });

  it('check 35: a finding on an accepted basis, explained and attributed, allows a fee', () => {
    expect(assertFeeAllowed(eu, finding)).toEqual(finding);
    expect(() => assertFeeAllowed(eu, { ...finding, explanation: '' })).toThrow(/explanation/);
    expect(() => assertFeeAllowed(eu, { ...finding, recordedBy: ' ' })).toThrow(/names who/);
  });

  it('California allows no fee for further copies', () => {
    expect(() => assertFeeAllowed(jurisdictionProfile('us-ca'), { ...finding, basis: 'further_copies' })).toThrow(
      /allows no fee/,
    );
    expect(assertFeeAllowed(eu, { ...finding, basis: 'further_copies' }).basis).toBe('further_copies');
  });
});
