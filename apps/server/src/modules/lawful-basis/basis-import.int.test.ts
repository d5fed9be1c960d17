import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test/harness.ts';
import type { CommandContext } from '../../cli/context.ts';
import { bufferIo } from '../../cli/io.ts';
import { buildProgram, runProgram } from '../../cli/program.ts';
import { samplePurpose } from '../purposes/purposes.fixtures.ts';

describe('CLI: lawful import bases and lawful ropa export', () => {
  let h: Harness;
  let tenantId: string;
  let slug: string;
  const dir = mkdtempSync(join(tmpdir(), 'lawful-import-'));

  const run = async (argv: string[]) => {
    const buf = bufferIo();
    const ctx: CommandContext = { io: buf.io, json: () => false, runtime: async () => h.rt, cwd: dir, inServer: false };
    const code = await runProgram(buildProgram(ctx), argv, buf.io);
    return { code, stdout: buf.stdout(), stderr: buf.stderr() };
  };

  beforeAll(async () => {
    h = await createHarness();
    const t = await h.newTenant();
    tenantId = t.tenant.id;
    slug = t.tenant.slug;
    await h.rt.services.purposes.create(
      tenantId,
      samplePurpose('billing', { allowedBases: ['contract'], liaReference: null, legitimateInterest: null }),
      'test',
    );
  });
  afterAll(() => h.close());

  it('check 1: a file with bad lines imports nothing and names each line and column', async () => {
    writeFileSync(
      join(dir, 'bad.csv'),
      [
        'identity_kind,identity_value,purpose,basis,contract_reference',
        'email,a@example.com,billing,contract,K-1',
        'email,b@example.com,billing,vibes,K-2',
        'email,c@example.com,billing,contract,',
        'email,d@example.com,nope,contract,K-4',
      ].join('\n'),
    );
    const r = await run(['import', 'bases', 'bad.csv', '--tenant', slug]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3, basis:');
    expect(r.stderr).toMatch(/nothing imported/);
    // The shape is right once line 3 is fixed; the rules (evidence, unknown purpose) are checked in one transaction.
    writeFileSync(join(dir, 'bad.csv'), readFileSync(join(dir, 'bad.csv'), 'utf8').replace('vibes', 'contract'));
    const r2 = await run(['import', 'bases', 'bad.csv', '--tenant', slug]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('line 4, contract_reference:');
    expect(r2.stderr).toContain('line 5, purpose:');
    const n = await h.rt.db.raw.query<{ n: number }>(
      'select count(*)::int as n from lawful_bases where tenant_id = $1',
      [tenantId],
    );
    expect(n.rows[0]!.n).toBe(0);
  });

  it('a good file is imported whole', async () => {
    const lines = ['identity_kind,identity_value,purpose,basis,contract_reference,source'];
    for (let i = 0; i < 300; i++) lines.push(`user_id,u-${i},billing,contract,"K-${i}, signed",shop`);
    writeFileSync(join(dir, 'good.csv'), lines.join('\r\n'));
    const r = await run(['import', 'bases', 'good.csv', '--tenant', slug]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Imported 300 lawful bases');
    const rows = await h.rt.db.raw.query<{ n: number }>(
      "select count(*)::int as n from lawful_bases where tenant_id = $1 and evidence->>'contractReference' like '%signed'",
      [tenantId],
    );
    expect(rows.rows[0]!.n).toBe(300);
  });

  it('check 51: ropa export writes JSON to stdout and XLSX to a file', async () => {
    await h.rt.services.ropa.putController(
      tenantId,
      {
        controller: { name: 'Acme', address: 'Somewhere 1', email: 'privacy@acme.example' },
        dpo: null,
        securityMeasures: [],
        processorActivities: [],
      },
      'test',
    );
    const j = await run(['ropa', 'export', '--tenant', slug]);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout).activities[0].purpose).toBe('billing');
    const x = await run(['ropa', 'export', '--tenant', slug, '--format', 'xlsx', '--out', 'ropa.xlsx']);
    expect(x.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'ropa.xlsx'));
    expect(wb.getWorksheet('Processing activities')!.rowCount).toBe(2);
    expect((await run(['ropa', 'export', '--tenant', slug, '--format', 'xlsx'])).code).toBe(2);
  });
});
