import type { Clock } from '../../lib/clock.ts';
import type { Connector } from '../connectors/connector.ts';
import { type CheckResult, checkDataMap } from './datamap.check.ts';
import type { DataMap, DataSystem, SubjectIdentity } from './datamap.contract.ts';
import { type Discovery, discoverDataMap } from './datamap.discover.ts';
import { type ErasureReport, eraseSubject } from './datamap.erase.ts';
import type { ConnectorLookup } from './datamap.model.ts';
import { type Rectification, rectifySubject } from './datamap.rectify.ts';
import { purgeExpired, type RetentionReport } from './datamap.retention.ts';
import { type AccessEvent, accessSubject } from './datamap.traverse.ts';
import { type VerificationReport, verifyErasure } from './datamap.verify.ts';

/**
 * The data map operations with their dependencies bound: where connectors come from, the clock, and the
 * pseudonymisation key. Routes, the CLI and the request jobs call this; nothing here knows HTTP.
 * @example
 * const datamap = createDataMapService({ connectorFor, clock, pseudonymKey });
 * const report = await datamap.erase(map, [{ kind: 'email', value: 'ada@example.com' }]);
 */
export const createDataMapService = (deps: {
  connectorFor: ConnectorLookup;
  clock: Pick<Clock, 'now'>;
  pseudonymKey?: Buffer;
}) => ({
  access: (map: DataMap, ids: readonly SubjectIdentity[]): AsyncIterable<AccessEvent> =>
    accessSubject(map, ids, { connectorFor: deps.connectorFor, pseudonymKey: deps.pseudonymKey }),
  rectify: (map: DataMap, ids: readonly SubjectIdentity[], changes: readonly Rectification[]) =>
    rectifySubject(map, ids, changes, { connectorFor: deps.connectorFor }),
  erase: (map: DataMap, ids: readonly SubjectIdentity[], opts: { dryRun?: boolean } = {}): Promise<ErasureReport> =>
    eraseSubject(map, ids, { connectorFor: deps.connectorFor, pseudonymKey: deps.pseudonymKey, dryRun: opts.dryRun }),
  verify: (map: DataMap, ids: readonly SubjectIdentity[]): Promise<VerificationReport> =>
    verifyErasure(map, ids, { connectorFor: deps.connectorFor }),
  /** Storage limitation: removes what is past its collection's retention period (see datamap.retention.ts). */
  purgeExpired: (map: DataMap, opts: { dryRun?: boolean } = {}): Promise<RetentionReport> =>
    purgeExpired(map, {
      connectorFor: deps.connectorFor,
      now: deps.clock.now(),
      pseudonymKey: deps.pseudonymKey,
      dryRun: opts.dryRun,
    }),
  check: (map: DataMap): Promise<CheckResult> =>
    checkDataMap(map, { connectorFor: deps.connectorFor, now: deps.clock.now() }),
  discover: (connector: Connector, system: Pick<DataSystem, 'id' | 'engine' | 'connection'>): Promise<Discovery> =>
    discoverDataMap(connector, { system, now: deps.clock.now() }),
});

export type DataMapService = ReturnType<typeof createDataMapService>;
