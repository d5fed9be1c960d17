import { describe, expect, it } from 'vitest';
import type { SchemaSnapshot } from '../connectors/connector.ts';
import { deletedByCondition } from './datamap.erase.ts';
import { loadDataMap } from './datamap.model.ts';

/** users ← orders ← lines, users ← events; `types` gives each table's id and link column types. */
const system = (opts: { linesKept?: boolean; cycle?: boolean }) =>
  loadDataMap(`
version: 1
revision: 1
systems:
  - id: shop
    engine: postgres
    connection: shop
    collections:
      - { name: users, table: users, primaryKey: [id], erasure: { kind: delete_row }, fields: [{ column: email, category: user.contact.email, identity: { kind: email } }] }
      - { name: orders, table: orders, primaryKey: [id], erasure: { kind: delete_row }, fields: [{ column: note, category: user.content }] }
      - { name: lines, table: lines, primaryKey: [id], erasure: { kind: ${opts.linesKept ? 'set_null' : 'delete_row'} }, fields: [{ column: note, category: user.content }${opts.linesKept ? ', { column: order_id, category: user.account.id, erasure: { kind: set_null } }' : ''}] }
      - { name: events, table: events, primaryKey: [id], erasure: { kind: delete_row }, fields: [{ column: ip, category: user.device.ip_address }] }
    references:
      - { from: { collection: orders, column: user_id }, to: { collection: users, column: id } }
      - { from: { collection: lines, column: order_id }, to: { collection: orders, column: id } }
      - { from: { collection: events, column: user_id }, to: { collection: users, column: id } }
${opts.cycle ? '      - { from: { collection: orders, column: id }, to: { collection: lines, column: order_id } }' : ''}
`).systems[0]!;

const live = (linkType = 'bigint'): SchemaSnapshot => {
  const table = (name: string, cols: [string, string][]) => ({
    name,
    primaryKey: ['id'],
    columns: cols.map(([n, t]) => ({ name: n, dataType: t, kind: 'other' as const, nullable: true, maxLength: null })),
  });
  return {
    fingerprint: 'x',
    foreignKeys: [],
    tables: new Map([
      [
        'users',
        table('users', [
          ['id', 'bigint'],
          ['email', 'text'],
        ]),
      ],
      [
        'orders',
        table('orders', [
          ['id', 'bigint'],
          ['user_id', 'bigint'],
          ['note', 'text'],
        ]),
      ],
      [
        'lines',
        table('lines', [
          ['id', 'bigint'],
          ['order_id', linkType],
          ['note', 'text'],
        ]),
      ],
      [
        'events',
        table('events', [
          ['id', 'bigint'],
          ['user_id', 'bigint'],
          ['ip', 'text'],
        ]),
      ],
    ]),
  };
};

describe('which whole-row deletes run by condition, unread', () => {
  it('a chain of whole-row deletes of matching types, deleted children first', () => {
    expect([...deletedByCondition(system({}), live())].sort()).toEqual(['events', 'lines', 'orders', 'users']);
  });

  it('not a parent whose child is kept (its rows are read to be anonymised), nor one compared across types', () => {
    expect([...deletedByCondition(system({ linesKept: true }), live())].sort()).toEqual(['events']);
    expect([...deletedByCondition(system({}), live('text'))].sort()).toEqual(['events', 'lines']);
  });

  it('nothing on a cycle of references, nor above one', () => {
    expect([...deletedByCondition(system({ cycle: true }), live())].sort()).toEqual(['events']);
  });
});
