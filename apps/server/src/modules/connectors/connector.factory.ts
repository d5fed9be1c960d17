import type { Connector, Engine } from './connector.ts';
import { createMysqlConnector } from './mysql.connector.ts';
import { createPostgresConnector } from './postgres.connector.ts';

/** A decrypted connection, as the connection store hands it over; it never appears in the data map itself. */
export type ConnectionConfig = { engine: Engine; url: string; schema?: string; maxConnections?: number };

/**
 * @example const conn = createConnector({ engine: 'mysql', url: 'mysql://ro@db:3306/shop' });
 */
export const createConnector = (cfg: ConnectionConfig): Connector =>
  cfg.engine === 'postgres'
    ? createPostgresConnector({ url: cfg.url, schema: cfg.schema, maxConnections: cfg.maxConnections })
    : createMysqlConnector({ url: cfg.url, maxConnections: cfg.maxConnections });
