import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, freshDatabase, TEST_MASTER_KEY } from '../../../test/harness.ts';

const BIN = fileURLToPath(new URL('../../../bin/lawful.mjs', import.meta.url));
type Run = { code: number; stdout: string; stderr: string };

describe(`lawful user (${backend})`, { timeout: 240_000 }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string>;
  const run = (args: string[], input?: string): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
      child.stdin?.end(input ?? '');
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
    expect((await run(['tenant', 'create', 'Acme', '--slug', 'acme'])).code).toBe(0);
  });
  afterAll(() => fresh.drop());

  it('creates a user from --password-stdin, lists it masked, disables it; refuses bad input with exit 2', async () => {
    const created = await run(
      [
        '--json',
        'user',
        'create',
        '--tenant',
        'acme',
        '--email',
        'Dana@Example.org',
        '--role',
        'admin',
        '--password-stdin',
        '--totp',
      ],
      'a long enough passphrase\n',
    );
    expect(created.code, created.stderr).toBe(0);
    const u = JSON.parse(created.stdout);
    expect(u).toMatchObject({ role: 'admin', email: 'd•••@example.org', totp: true });
    expect(u.totpUri).toMatch(/^otpauth:\/\/totp\/Lawful:acme\?/);

    const short = await run(
      ['user', 'create', '--tenant', 'acme', '--email', 'e@example.org', '--role', 'agent', '--password-stdin'],
      'short\n',
    );
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/password: must be at least 12 characters/);
    const badRole = await run(
      ['user', 'create', '--tenant', 'acme', '--email', 'e@example.org', '--role', 'publishable', '--password-stdin'],
      'a long enough passphrase\n',
    );
    expect(badRole.code).toBe(2);
    const noTty = await run(['user', 'create', '--tenant', 'acme', '--email', 'e@example.org', '--role', 'agent']);
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/--password-stdin/);

    const list = await run(['user', 'list', '--tenant', 'acme']);
    expect(list.stdout).toContain(u.id);
    expect(list.stdout).not.toContain('dana@');
    const disabled = await run(['--json', 'user', 'disable', '--tenant', 'acme', u.id]);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(JSON.parse(disabled.stdout).disabledAt).not.toBeNull();
  });
});
