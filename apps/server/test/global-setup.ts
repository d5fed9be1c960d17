import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPostgresDatabase, PG_ADMIN_URL } from '../../../test/support/databases.ts';
import { openPglite, openPostgres } from '../src/db/client.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

/**
 * Migrates one template database per run (an embedded data folder, or a PostgreSQL database), which each test file
 * then copies: a fresh, isolated, migrated database in well under a second. Everything is dropped at the end.
 */
export default async function setup(project: TestProject) {
  if (project.name === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'lawful-tpl-'));
    const db = await openPglite(join(dir, 'pglite'));
    await db.migrate();
    await db.close();
    project.provide('pgliteTemplate', join(dir, 'pglite'));
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const tpl = await createPostgresDatabase('lawful_tpl').catch((e: Error) => {
    throw new Error(`PostgreSQL is required for the postgres test project (${PG_ADMIN_URL}): ${e.message}`);
  });
  const db = await openPostgres(tpl.url, { max: 1 });
  await db.migrate();
  await db.close();
  project.provide('postgresTemplate', tpl.name);
  return () => tpl.drop();
}
