import type { Purpose, TenantSettings } from '@lawful/contract';
import type { Queryable } from '../../db/client.ts';
import type { ConsentRecordRow, ConsentRepo, ConsentStateRow } from './consent.repo.ts';

/** Grants of one submission that wait for the person to confirm their e-mail address. */
export type PendingConfirmation = { subjectId: string; submissionId: string; locale: string; purposes: string[] };

// Imports carry their own original evidence; a confirmation click is the confirmation itself.
const EXEMPT_METHODS = new Set(['double_opt_in', 'import']);

/**
 * Double opt-in applies when the tenant asks for it, to direct-marketing purposes, and only to a first grant: someone
 * whose consent is already in force is not asked to confirm their address again.
 * @example needsConfirmation({ doubleOptIn: true, … }, newsletter, 'form_checkbox', undefined) // true
 */
export const needsConfirmation = (
  settings: Pick<TenantSettings, 'doubleOptIn'>,
  purpose: Pick<Purpose, 'directMarketing'>,
  method: string,
  previous: ConsentStateRow['state'] | undefined,
): boolean =>
  settings.doubleOptIn === true &&
  purpose.directMarketing === true &&
  !EXEMPT_METHODS.has(method) &&
  previous !== 'granted';

/**
 * The grants of a submission still waiting: each one's state row is locked and must still rest on it. A grant that
 * was withdrawn, refused, superseded or already confirmed is left alone, so a second click changes nothing.
 */
export const pendingToConfirm = async (
  repo: Pick<ConsentRepo, 'bySubmission' | 'lockState'>,
  tx: Queryable,
  tenantId: string,
  submissionId: string,
): Promise<ConsentRecordRow[]> => {
  const out: ConsentRecordRow[] = [];
  for (const r of await repo.bySubmission(tx, tenantId, submissionId)) {
    if (r.pending !== 'confirmation' || r.decision !== 'grant') continue;
    const s = await repo.lockState(tx, tenantId, r.subjectId, r.purposeKey);
    if (s?.state === 'pending_confirmation' && s.recordId === r.id) out.push(r);
  }
  return out;
};
