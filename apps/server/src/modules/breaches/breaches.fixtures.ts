import { CreateBreach, type CreateBreachInput } from '@lawful/contract';

/** A plausible breach for tests: a leaked mailing-list export. */
export const breachBody = (o: Partial<CreateBreachInput> = {}): CreateBreachInput => ({
  awareAt: '2026-11-28T09:00:00.000Z',
  whatHappened: 'A mailing-list export was left in a publicly readable storage bucket.',
  subjectCategories: ['customers'],
  approxSubjects: 1200,
  approxRecords: 1200,
  dataCategories: ['user.contact.email'],
  systems: ['newsletter'],
  likelyConsequences: 'Phishing e-mails pretending to come from us.',
  measuresTaken: 'The bucket was made private and its access log reviewed.',
  measuresProposed: 'Automated checks of bucket permissions.',
  recommendedActions: 'Be wary of e-mails asking for your password; we never ask for it.',
  contactPoint: 'Data Protection Officer, dpo@acme.test',
  risk: 'high',
  ...o,
});

export const sampleBreach = (o: Partial<CreateBreachInput> = {}): CreateBreach => CreateBreach.parse(breachBody(o));
