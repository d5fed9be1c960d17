import type { Queryable } from '../../db/client.ts';

/**
 * The port through which lawful basis asks the consent module whether a consent record is live: given, for this
 * subject and purpose, not withdrawn, not expired. The consent module implements it; main.ts wires it in.
 *
 * @example
 * const consentLookup: ConsentLookup = { isLive: (tx, t, s, p, id) => consent.isLive(tx, t, s, p, id) };
 */
export type ConsentLookup = {
  isLive(
    tx: Queryable,
    tenantId: string,
    subjectId: string,
    purposeKey: string,
    consentRecordId: string,
  ): Promise<boolean>;
  /**
   * Optional batch form for audience filtering: of these records, the ids that are live. Without it each row is
   * asked through isLive.
   */
  liveAmong?(
    tx: Queryable,
    tenantId: string,
    purposeKey: string,
    items: { subjectId: string; consentRecordId: string }[],
  ): Promise<Set<string>>;
};

/** Of these (subject, record) pairs, the live record ids, through whichever form the port offers. */
export const liveRecords = async (
  port: ConsentLookup,
  tx: Queryable,
  tenantId: string,
  purposeKey: string,
  items: { subjectId: string; consentRecordId: string }[],
): Promise<Set<string>> => {
  if (items.length === 0) return new Set();
  if (port.liveAmong) return port.liveAmong(tx, tenantId, purposeKey, items);
  const live = new Set<string>();
  for (const i of items) {
    if (await port.isLive(tx, tenantId, i.subjectId, purposeKey, i.consentRecordId)) live.add(i.consentRecordId);
  }
  return live;
};
