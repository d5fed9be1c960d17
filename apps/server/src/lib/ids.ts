import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();

/** Prefixes say what an id names, so logs and exports explain themselves. */
export const idPrefixes = {
  tenant: 'tnt',
  key: 'key',
  audit: 'aud',
  subject: 'sub',
  identifier: 'idn',
  request: 'req',
  task: 'tsk',
  http: 'rid',
  purpose: 'pur',
  basis: 'bas',
  notice: 'ntc',
  noticeVersion: 'ntv',
  consent: 'cns',
  objection: 'obj',
  suppression: 'sup',
  restriction: 'rst',
  webhook: 'whk',
  delivery: 'dlv',
  site: 'sit',
  datamap: 'dmp',
  system: 'sys',
  export: 'exp',
  message: 'msg',
  user: 'usr',
  session: 'ses',
  breach: 'brc',
  token: 'tok',
  import: 'imp',
  device: 'dev',
  bannerRecord: 'bcr',
  subprocessorList: 'spl',
  rectification: 'rct',
} as const;
export type IdKind = keyof typeof idPrefixes;

/** @example newId('tenant') // "tnt_01JDQ2M3ZV9G7X6S5R4Q3P2N1M" */
export const newId = (kind: IdKind, now: number = Date.now()): string => `${idPrefixes[kind]}_${ulid(now)}`;
