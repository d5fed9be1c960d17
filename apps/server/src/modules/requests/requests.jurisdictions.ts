import type { JurisdictionCode } from '@lawful/contract';
import { AppError } from '../../lib/errors.ts';

/**
 * The rules that differ between legal regimes, kept as data so the deadline and refusal code has no `if (uk)` in it.
 * Sources are cited per field; docs/requests.md has the table.
 */

/** A legal time period. Months follow Reg. 1182/71 (calendar months), days are calendar days. */
export type Period = { unit: 'months' | 'days'; count: number };

/** Why a fee may be asked. Anything not listed is free (check 35). */
export type FeeBasis = 'further_copies' | 'manifestly_unfounded' | 'manifestly_excessive';

export type JurisdictionProfile = {
  code: JurisdictionCode;
  /** The provision that sets the time limit, for docs and audit entries. */
  law: string;
  responsePeriod: Period;
  /** The most one extension may add; total time is responsePeriod + maxExtension from the start of the period. */
  maxExtension: Period;
  /**
   * Whether waiting for proof of identity stops the clock (check 37). Where true, the period starts again on the day
   * identity is confirmed (UK GDPR Art. 12A as inserted by the Data (Use and Access) Act 2025; ICO guidance).
   * Where false, the period runs from receipt whatever verification takes.
   */
  pausesClockForIdentity: boolean;
  /** The bases on which a fee may be charged; each needs a recorded finding (Art. 12(5); CJEU C-307/22). */
  feeBases: readonly FeeBasis[];
  /** Text keys for the supervisory authority a subject can complain to (Art. 77); email locales resolve them. */
  complaintAuthority: { nameKey: string; urlKey: string };
};

const gdprFees: readonly FeeBasis[] = ['further_copies', 'manifestly_unfounded', 'manifestly_excessive'];

export const jurisdictions: Readonly<Record<JurisdictionCode, JurisdictionProfile>> = {
  // Art. 12(3) GDPR: one month, extendable by two; the clock runs from receipt (EDPB Guidelines 01/2022 §§ 157–160).
  eu: {
    code: 'eu',
    law: 'GDPR Art. 12(3)',
    responsePeriod: { unit: 'months', count: 1 },
    maxExtension: { unit: 'months', count: 2 },
    pausesClockForIdentity: false,
    feeBases: gdprFees,
    complaintAuthority: { nameKey: 'authority.eu.name', urlKey: 'authority.eu.url' },
  },
  uk: {
    code: 'uk',
    law: 'UK GDPR Arts. 12(3), 12A',
    responsePeriod: { unit: 'months', count: 1 },
    maxExtension: { unit: 'months', count: 2 },
    pausesClockForIdentity: true,
    feeBases: gdprFees,
    complaintAuthority: { nameKey: 'authority.uk.name', urlKey: 'authority.uk.url' },
  },
  fr: {
    code: 'fr',
    law: 'GDPR Art. 12(3); Loi Informatique et Libertés',
    responsePeriod: { unit: 'months', count: 1 },
    maxExtension: { unit: 'months', count: 2 },
    pausesClockForIdentity: false,
    feeBases: gdprFees,
    complaintAuthority: { nameKey: 'authority.fr.name', urlKey: 'authority.fr.url' },
  },
  // Germany: GDPR time limits unchanged; complaints go to the authority of the Land (or the BfDI for federal bodies).
  de: {
    code: 'de',
    law: 'GDPR Art. 12(3); BDSG',
    responsePeriod: { unit: 'months', count: 1 },
    maxExtension: { unit: 'months', count: 2 },
    pausesClockForIdentity: false,
    feeBases: gdprFees,
    complaintAuthority: { nameKey: 'authority.de.name', urlKey: 'authority.de.url' },
  },
  // CCPA: 45 calendar days from receipt "regardless of time required to verify", one further 45 days with notice
  // (Cal. Civ. Code § 1798.130(a)(2); CCPA Regs. § 7021). Fees only for manifestly unfounded/excessive (§ 1798.145(h)(3)).
  'us-ca': {
    code: 'us-ca',
    law: 'Cal. Civ. Code § 1798.130(a)(2); 11 CCR § 7021',
    responsePeriod: { unit: 'days', count: 45 },
    maxExtension: { unit: 'days', count: 45 },
    pausesClockForIdentity: false,
    feeBases: ['manifestly_unfounded', 'manifestly_excessive'],
    complaintAuthority: { nameKey: 'authority.us-ca.name', urlKey: 'authority.us-ca.url' },
  },
};

/** @example jurisdictionProfile('uk').pausesClockForIdentity // true */
export const jurisdictionProfile = (code: JurisdictionCode): JurisdictionProfile => {
  const profile = jurisdictions[code];
  if (!profile)
    throw new AppError('VALIDATION_FAILED', `unknown jurisdiction ${String(code)}`, { field: 'jurisdiction' });
  return profile;
};

/** A fee finding as it must be recorded before anything is charged (check 35). */
export type FeeFinding = { basis: FeeBasis; explanation: string; recordedBy: string };

/**
 * Throws unless a fee is allowed: requests are free by default, and a fee needs a recorded finding on a basis the
 * jurisdiction accepts, with an explanation the controller can show the authority (Art. 12(5): the burden is ours).
 * @example assertFeeAllowed(jurisdictionProfile('eu'), { basis: 'manifestly_excessive', explanation: '…', recordedBy: 'usr_…' })
 */
export const assertFeeAllowed = (profile: JurisdictionProfile, finding: FeeFinding | null | undefined): FeeFinding => {
  if (!finding) {
    throw new AppError('RULE_VIOLATION', 'requests are free of charge unless a finding is recorded (Art. 12(5))', {
      field: 'fee',
    });
  }
  if (!profile.feeBases.includes(finding.basis)) {
    throw new AppError('RULE_VIOLATION', `jurisdiction ${profile.code} allows no fee on the basis ${finding.basis}`, {
      field: 'fee.basis',
    });
  }
  if (finding.explanation.trim().length < 10) {
    throw new AppError('VALIDATION_FAILED', 'a fee finding needs an explanation', { field: 'fee.explanation' });
  }
  if (finding.recordedBy.trim() === '') {
    throw new AppError('VALIDATION_FAILED', 'a fee finding names who made it', { field: 'fee.recordedBy' });
  }
  return finding;
};

/** Human-readable period for notices and audit entries, e.g. "2 months". */
export const describePeriod = (p: Period): string =>
  `${p.count} ${p.unit === 'months' ? 'month' : 'day'}${p.count === 1 ? '' : 's'}`;
