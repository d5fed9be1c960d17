// Runtime values come from the contract source until packages/contract/src/index.ts re-exports requests.ts.

import { describe, expect, it } from 'vitest';
import { RequestState } from '../../../../../packages/contract/src/requests.ts';
import { AppError } from '../../lib/errors.ts';
import {
  allowedEvents,
  assertRefusal,
  isFinal,
  isOpen,
  type RequestEvent,
  requestEvents,
  transition,
} from './requests.states.ts';

// Written out by hand, not derived from the table under test: this is the specification.
const legal: [RequestState, RequestEvent, RequestState][] = [
  ['received', 'request_identity', 'identity_pending'],
  ['received', 'verify_identity', 'verified'],
  ['received', 'reject', 'rejected'],
  ['received', 'cancel', 'cancelled'],
  ['identity_pending', 'verify_identity', 'verified'],
  ['identity_pending', 'reject', 'rejected'],
  ['identity_pending', 'cancel', 'cancelled'],
  ['verified', 'submit_for_approval', 'awaiting_approval'],
  ['verified', 'start', 'in_progress'],
  ['verified', 'reject', 'rejected'],
  ['verified', 'cancel', 'cancelled'],
  ['awaiting_approval', 'approve', 'in_progress'],
  ['awaiting_approval', 'send_back', 'verified'],
  ['awaiting_approval', 'reject', 'rejected'],
  ['awaiting_approval', 'cancel', 'cancelled'],
  ['in_progress', 'complete', 'completed'],
  ['in_progress', 'complete_partially', 'partially_completed'],
  ['in_progress', 'reject', 'rejected'],
  ['in_progress', 'cancel', 'cancelled'],
];

const states = RequestState.options;

describe('transition', () => {
  it.each(legal)('%s --%s--> %s', (from, event, to) => {
    expect(transition(from, event)).toBe(to);
  });

  it('refuses every other (state, event) pair with INVALID_TRANSITION naming both', () => {
    let refused = 0;
    for (const from of states) {
      for (const event of requestEvents) {
        if (legal.some(([f, e]) => f === from && e === event)) continue;
        let error: unknown;
        try {
          transition(from, event);
        } catch (e) {
          error = e;
        }
        expect(error, `${from} + ${event} should be refused`).toBeInstanceOf(AppError);
        expect((error as AppError).code).toBe('INVALID_TRANSITION');
        expect((error as AppError).message).toContain(from);
        expect((error as AppError).message).toContain(event);
        refused++;
      }
    }
    expect(refused).toBe(states.length * requestEvents.length - legal.length);
  });

  it('cannot complete or start work on an unverified request', () => {
    for (const from of ['received', 'identity_pending'] as const) {
      for (const event of ['start', 'approve', 'complete', 'complete_partially'] as const) {
        expect(() => transition(from, event)).toThrow(AppError);
      }
    }
  });

  it('final states are exactly completed, partially_completed, rejected, cancelled', () => {
    expect(states.filter(isFinal).sort()).toEqual(['cancelled', 'completed', 'partially_completed', 'rejected']);
    expect(states.filter(isOpen).sort()).toEqual(states.filter((s) => !isFinal(s)).sort());
  });

  it('allowedEvents lists what transition accepts', () => {
    for (const s of states) {
      expect(allowedEvents(s).sort()).toEqual(
        legal
          .filter(([f]) => f === s)
          .map(([, e]) => e)
          .sort(),
      );
    }
  });

  it('every state is reachable from received', () => {
    const seen = new Set<RequestState>(['received']);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [f, , t] of legal) {
        if (seen.has(f) && !seen.has(t)) {
          seen.add(t);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...states].sort());
  });
});

describe('assertRefusal', () => {
  const explanation = 'We must keep invoices for ten years under tax law.';

  it('check 34: a refusal needs grounds and an explanation', () => {
    expect(() => assertRefusal({ types: ['access'], grounds: [], explanation })).toThrow(/at least one ground/);
    expect(() => assertRefusal({ types: ['access'], grounds: ['manifestly_excessive'], explanation: ' ' })).toThrow(
      /explains its reasons/,
    );
    expect(() => assertRefusal({ types: ['access'], grounds: ['manifestly_excessive'], explanation })).not.toThrow();
  });

  it('Art. 17(3) grounds answer only an erasure', () => {
    const grounds = ['art17_3_b_legal_obligation_or_public_task'] as const;
    expect(() => assertRefusal({ types: ['access'], grounds: [...grounds], explanation })).toThrow(
      /only answers an erasure/,
    );
    expect(() => assertRefusal({ types: ['erasure', 'access'], grounds: [...grounds], explanation })).not.toThrow();
  });
});
