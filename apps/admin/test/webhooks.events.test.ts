import { WebhookEventType } from '@lawful/contract';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENTS } from '../src/screens/webhook-events.ts';

describe('console webhook events', () => {
  it('offers exactly the event types the server emits', () => {
    expect([...WEBHOOK_EVENTS].sort()).toEqual([...WebhookEventType.options].sort());
  });
});
