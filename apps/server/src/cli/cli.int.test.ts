import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, freshDatabase, TEST_MASTER_KEY } from '../../test/harness.ts';

const BIN = fileURLToPath(new URL('../../bin/lawful.mjs', import.meta.url));

type Run = { code: number; stdout: string; stderr: string };

// Each command is a fresh process (tsx + database open): give them time on a loaded machine.
describe(`lawful CLI (${backend})`, { timeout: 240_000 }, () => {
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string>;
  const run = (args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
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
  afterAll(() => fresh.drop());

  it('has help for every command and exits 2 on wrong usage', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const c of ['serve', 'migrate', 'tenant', 'key', 'audit', 'doctor']) expect(help.stdout).toContain(c);
    const sub = await run(['key', 'create', '--help']);
    expect(sub.stdout).toContain('--role');
    expect((await run(['frobnicate'])).code).toBe(2);
    const bad = await run(['tenant', 'create', 'X', '--slug', 'Not A Slug']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/slug/);
  });

  it('creates a tenant and keys, revokes one, verifies the audit log, and doctor is happy', async () => {
    const migrate = await run(['migrate']);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/up to date/);
    const created = await run(['--json', 'tenant', 'create', 'Acme Portfolio', '--slug', 'acme']);
    expect(created.code, created.stderr).toBe(0);
    const t = JSON.parse(created.stdout);
    expect(t.adminKey.secret).toMatch(/^lf_sk_/);
    const human = await run(['tenant', 'create', 'Beta Org']);
    expect(human.stdout).toMatch(/not shown again/);
    const key = await run(['--json', 'key', 'create', '--tenant', 'acme', '--role', 'agent', '--name', 'crm']);
    const k = JSON.parse(key.stdout);
    expect(k.role).toBe('agent');
    const badRole = await run(['key', 'create', '--tenant', 'acme', '--role', 'owner']);
    expect(badRole.code).toBe(2);
    const noTenant = await run(['key', 'list', '--tenant', 'nobody']);
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toMatch(/lawful tenant list/);
    const revoked = await run(['key', 'revoke', k.id, '--tenant', 'acme']);
    expect(revoked.code, revoked.stdout + revoked.stderr).toBe(0);
    const list = await run(['key', 'list', '--tenant', 'acme']);
    expect(list.stdout).toMatch(/revoked/);
    expect(list.stdout).not.toContain(k.secret);
    const verify = await run(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toMatch(/ok {3}acme/);
    const doctor = await run(['doctor']);
    expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);
    expect(doctor.stdout).toMatch(/✔ migrations/);
  });

  // Only the embedded database is held by one process; on PostgreSQL every process connects on its own.
  if (backend === 'pglite')
    it('goes through the running server when it holds the embedded database', async () => {
      const server: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env, stdio: 'pipe' });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let out = '';
          server.stdout!.on('data', (d) => {
            out += String(d);
            const m = out.match(/running at (http:\/\/\S+)/);
            if (m) resolve(m[1]!);
          });
          server.on('exit', (c) => reject(new Error(`server exited ${c}`)));
        });
        expect((await fetch(`${url}/readyz`)).status).toBe(200);
        const list = await run(['tenant', 'list']);
        expect(list.code, list.stderr).toBe(0);
        expect(list.stdout).toContain('acme');
        expect(list.stderr).toMatch(/ran through the Lawful server/);
        const create = await run(['--json', 'key', 'create', '--tenant', 'acme', '--role', 'read_only']);
        expect(create.code).toBe(0);
        const second = await run(['serve', '--port', '0']);
        expect(second.code).toBe(3);
        expect(second.stderr).toMatch(/in use/);
        // The operator endpoint refuses anyone without the token.
        const r = await fetch(`${url}/v1/operator/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' },
          body: JSON.stringify({ argv: ['tenant', 'list'], cwd: '/' }),
        });
        expect(r.status).toBe(401);
      } finally {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('exit', r));
      }
    });
});
