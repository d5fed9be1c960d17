import { writeFileSync } from 'node:fs';
import { z } from '@hono/zod-openapi';
import { DataMap } from './datamap.contract.ts';

/** JSON Schema of the data map, for editors (yaml-language-server) and other tools; checked in next to this file. */
export const dataMapJsonSchema = () => z.toJSONSchema(DataMap, { io: 'input', unrepresentable: 'any' });

export const DATAMAP_SCHEMA_FILE = new URL('./datamap.schema.json', import.meta.url);

export const renderDataMapJsonSchema = () => `${JSON.stringify(dataMapJsonSchema(), null, 2)}\n`;

// `npx tsx apps/server/src/modules/datamap/datamap.schema-export.ts` rewrites the file; a test fails when it is stale.
if (import.meta.url === `file://${process.argv[1]}`) writeFileSync(DATAMAP_SCHEMA_FILE, renderDataMapJsonSchema());
