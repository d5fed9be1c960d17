import type { RequestIdentity } from '@lawful/contract';
import type { SubjectIdentity } from './datamap.contract.ts';

/** Identities as a request carries them, as the data map looks them up. */
export const toSubjectIdentities = (ids: readonly RequestIdentity[]): SubjectIdentity[] =>
  ids.map((i) => {
    if (i.type === 'email') return { kind: 'email', value: i.value };
    if (i.type === 'phone') return { kind: 'phone', value: i.value };
    if (i.type === 'customer_id') return { kind: 'user_id', value: i.value };
    return { kind: 'external_id', value: i.value };
  });
