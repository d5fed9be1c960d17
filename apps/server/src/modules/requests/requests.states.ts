import type { RefusalGround, RequestState, RequestType } from '@lawful/contract';
import { AppError } from '../../lib/errors.ts';

/**
 * The life of a data-subject request as a closed transition table. Anything not in the table is refused with
 * INVALID_TRANSITION, so a workflow bug cannot, say, complete a request nobody verified.
 */

export const requestEvents = [
  /** Ask the subject to prove who they are (Art. 12(6)). */
  'request_identity',
  /** Identity established: by the e-mail check, by staff, or asserted by a platform caller. */
  'verify_identity',
  /** Needs a privacy officer's approval before anything is done (tenant policy, e.g. erasure). */
  'submit_for_approval',
  'approve',
  /** The approver wants changes: back to the agent. */
  'send_back',
  /** Work starts without an approval step. */
  'start',
  'complete',
  /** Some of it done, some refused (e.g. erasure with an Art. 17(3) exception for part of the data). */
  'complete_partially',
  /** Refused with grounds (Art. 12(4)). */
  'reject',
  /** The subject withdrew, or staff closed a duplicate. */
  'cancel',
] as const;
export type RequestEvent = (typeof requestEvents)[number];

const open = ['received', 'identity_pending', 'verified', 'awaiting_approval', 'in_progress'] as const;

export const transitions: Readonly<Record<RequestState, Readonly<Partial<Record<RequestEvent, RequestState>>>>> = {
  received: {
    request_identity: 'identity_pending',
    verify_identity: 'verified',
    reject: 'rejected',
    cancel: 'cancelled',
  },
  identity_pending: {
    verify_identity: 'verified',
    // Identity never arrived or did not match: refused on ground identity_not_verified.
    reject: 'rejected',
    cancel: 'cancelled',
  },
  verified: {
    submit_for_approval: 'awaiting_approval',
    start: 'in_progress',
    reject: 'rejected',
    cancel: 'cancelled',
  },
  awaiting_approval: {
    approve: 'in_progress',
    send_back: 'verified',
    reject: 'rejected',
    cancel: 'cancelled',
  },
  in_progress: {
    complete: 'completed',
    complete_partially: 'partially_completed',
    reject: 'rejected',
    cancel: 'cancelled',
  },
  completed: {},
  partially_completed: {},
  rejected: {},
  cancelled: {},
};

/** States with no way out. */
export const isFinal = (state: RequestState): boolean => Object.keys(transitions[state]).length === 0;

/** Whether the deadline still matters: every state before a final one. */
export const isOpen = (state: RequestState): boolean => (open as readonly string[]).includes(state);

/** The events a state accepts, for UIs that show only the buttons that work. */
export const allowedEvents = (state: RequestState): RequestEvent[] =>
  requestEvents.filter((e) => transitions[state][e] !== undefined);

/**
 * @example transition('received', 'verify_identity') // 'verified'
 * @example transition('completed', 'cancel') // throws AppError INVALID_TRANSITION
 */
export const transition = (from: RequestState, event: RequestEvent): RequestState => {
  const to = transitions[from]?.[event];
  if (!to) {
    throw new AppError('INVALID_TRANSITION', `a request in state ${from} cannot take event ${event}`, {
      field: 'state',
    });
  }
  return to;
};

const art17Grounds: readonly RefusalGround[] = [
  'art17_3_a_freedom_of_expression',
  'art17_3_b_legal_obligation_or_public_task',
  'art17_3_c_public_health',
  'art17_3_d_archiving_research_statistics',
  'art17_3_e_legal_claims',
];

/**
 * A refusal must name grounds that fit the request (Art. 17(3) exceptions only answer an erasure) and explain them
 * (check 34). A manifestly unfounded/excessive finding is itself the recorded finding check 35 asks for.
 */
export const assertRefusal = (input: {
  types: readonly RequestType[];
  grounds: readonly RefusalGround[];
  explanation: string;
}) => {
  if (input.grounds.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'a refusal names at least one ground', { field: 'grounds' });
  }
  const misplaced = input.grounds.filter((g) => art17Grounds.includes(g));
  if (misplaced.length > 0 && !input.types.includes('erasure')) {
    throw new AppError('RULE_VIOLATION', `${misplaced.join(', ')} only answers an erasure request (Art. 17(3))`, {
      field: 'grounds',
    });
  }
  if (input.explanation.trim().length < 10) {
    throw new AppError('VALIDATION_FAILED', 'a refusal explains its reasons to the subject (Art. 12(4))', {
      field: 'explanation',
    });
  }
};
