// The contract's WebhookEventType, written out: importing it would bring zod into the console bundle. A unit test
// (webhooks.events.test.ts) keeps the two lists equal.
export const EVENTS = [
  'consent.granted',
  'consent.withdrawn',
  'basis.changed',
  'objection.recorded',
  'request.completed',
  'request.task',
  'request.due_soon',
  'request.overdue',
  'request.transfer_failed',
  'subject.erased',
  'subject.rectified',
  'subject.restricted',
  'subject.restriction_lifted',
  'breach.deadline_near',
  'breach.processor_reported',
  'subprocessors.changed',
] as const;
export const WEBHOOK_EVENTS: readonly string[] = EVENTS;
