import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useChinook } from '../../../test/fixtures/chinook.suite.ts';
import { freshDatabase, TEST_MASTER_KEY } from '../../../test/harness.ts';

const BIN = fileURLToPath(new URL('../../../bin/lawful.mjs', import.meta.url));
type Run = { code: number; stdout: string; stderr: string };

describe('lawful datamap discover | set | connect | check (checks 42, 53)', { timeout: 240_000 }, () => {
  const chinook = useChinook('postgres');
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string>;
  const run = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: 90_000, cwd: fresh.dir }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  beforeAll(async () => {
    fresh = await freshDatabase();
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      LAWFUL_DATA_DIR: fresh.dir,
      LAWFUL_MASTER_KEY: TEST_MASTER_KEY,
      ...(fresh.url ? { DATABASE_URL: fresh.url } : {}),
    };
  });
  afterAll(() => fresh?.drop());

  it('discovers a proposal, stores it, connects, and checks it against the live database, never printing the URL', async () => {
    const d = await run(['datamap', 'discover', chinook.db.url, '--out', 'proposal.yaml', '--connection', 'shop']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toMatch(/wrote .*proposal\.yaml/);
    expect(d.stderr).toMatch(/Next: review it/);
    expect(readFileSync(join(fresh.dir, 'proposal.yaml'), 'utf8')).toMatch(/category: user\.contact\.email/);
    const bad = await run(['datamap', 'discover', 'ftp://example.invalid/db']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unsupported scheme ftp:/);

    expect((await run(['tenant', 'create', 'Chinook', '--slug', 'chinook'])).code).toBe(0);
    const noMap = await run(['datamap', 'check', '--tenant', 'chinook']);
    expect(noMap.code).toBe(1);
    expect(noMap.stderr).toMatch(/no data map yet/);
    const fixture = fileURLToPath(new URL('../../../test/fixtures/chinook.postgres.datamap.yaml', import.meta.url));
    const set = await run(['datamap', 'set', fixture, '--tenant', 'chinook']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/Stored data map version 1/);
    const unreachable = await run(['datamap', 'check', '--tenant', 'chinook']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/connection "chinook", which is not set: lawful datamap connect chinook/);
    const connect = await run(['datamap', 'connect', 'chinook', chinook.db.url, '--tenant', 'chinook']);
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.stdout + connect.stderr).not.toContain(chinook.db.url);
    const check = await run(['datamap', 'check', '--tenant', 'chinook']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/chinook: data map version 1 — OK/);
    expect(check.stdout).toMatch(/system shop: checked/);
    const purge = await run(['datamap', 'purge', '--tenant', 'chinook', '--dry-run']);
    expect(purge.code, purge.stdout + purge.stderr).toBe(0);
    expect(purge.stdout).toMatch(/dry run: nothing changed/);
    expect(purge.stdout).toMatch(/invoice: 0 would be deleted, 0 would be anonymised \(older than 20\d\d-/);
  });
});
