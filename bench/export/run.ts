/**
 * Export package benchmark: one person with 100,000 rows over 6 collections, built into a full package (ZIP with
 * data.json, CSVs, XLSX, …) and, in the same run, a hand-written baseline that only writes the same rows to CSV
 * files with csv-stringify. Prints time, peak RSS (sampled every 50 ms), output size and the ratio.
 *
 *   node --import tsx bench/export/run.ts [rows]
 *
 * Rows are composed from small pools of faker values by index, so both runs see identical rows, generating them
 * costs almost nothing, and no run holds the data set in memory.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker/locale/en';
import { stringify } from 'csv-stringify';
import { buildExportPackage } from '../../apps/server/src/modules/export/export.builder.ts';
import type { ExportField, ExportSection } from '../../apps/server/src/modules/export/export.contract.ts';
import { metaFixture } from '../../apps/server/src/modules/export/export.fixtures.ts';

// Benchmarks print their figures to stdout (no logger: nothing personal is ever printed here).
const print = (...parts: unknown[]) => process.stdout.write(`${parts.join(' ')}\n`);

const TOTAL = Number(process.argv[2] ?? 100_000);
faker.seed(42);
const pool = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
const P = {
  names: pool(1000, () => faker.person.fullName()),
  emails: pool(1000, () => faker.internet.email()),
  streets: pool(1000, () => faker.location.streetAddress()),
  cities: pool(300, () => faker.location.city()),
  products: pool(500, () => faker.commerce.productName()),
  urls: pool(500, () => faker.internet.url()),
  agents: pool(50, () => faker.internet.userAgent()),
  paragraphs: pool(300, () => faker.lorem.paragraphs(2)),
  ips: pool(500, () => faker.internet.ipv4()),
};
const pick = <T>(a: T[], i: number) => a[(i * 7919) % a.length]!;
const at = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 61_000);

type Spec = {
  collection: string;
  share: number;
  fields: [string, string, ExportField['portable']][];
  row: (i: number) => Record<string, unknown>;
};
const specs: Spec[] = [
  {
    collection: 'contacts',
    share: 0.01,
    fields: [
      ['id', 'identity', 'provided'],
      ['name', 'identity', 'provided'],
      ['email', 'contact', 'provided'],
      ['street', 'contact', 'provided'],
      ['city', 'contact', 'provided'],
      ['created_at', 'usage', 'observed'],
      ['preferences', 'contact', 'provided'],
    ],
    row: (i) => ({
      id: i,
      name: pick(P.names, i),
      email: pick(P.emails, i),
      street: pick(P.streets, i),
      city: pick(P.cities, i),
      created_at: at(i),
      preferences: { lang: 'de', topics: ['news', 'offers'], i },
    }),
  },
  {
    collection: 'orders',
    share: 0.2,
    fields: [
      ['order_id', 'orders', 'provided'],
      ['placed_at', 'orders', 'observed'],
      ['total', 'orders', 'provided'],
      ['currency', 'orders', 'provided'],
      ['ship_to', 'contact', 'provided'],
      ['status', 'orders', 'observed'],
    ],
    row: (i) => ({
      order_id: `ORD-${100000 + i}`,
      placed_at: at(i),
      total: ((i * 37) % 50000) / 100,
      currency: 'EUR',
      ship_to: `${pick(P.streets, i)}, ${pick(P.cities, i)}`,
      status: i % 11 ? 'delivered' : 'returned, "refunded"',
    }),
  },
  {
    collection: 'order_items',
    share: 0.3,
    fields: [
      ['order_id', 'orders', 'provided'],
      ['line', 'orders', 'provided'],
      ['product', 'orders', 'provided'],
      ['quantity', 'orders', 'provided'],
      ['unit_price', 'orders', 'provided'],
    ],
    row: (i) => ({
      order_id: `ORD-${100000 + Math.floor(i / 3)}`,
      line: (i % 3) + 1,
      product: pick(P.products, i),
      quantity: (i % 4) + 1,
      unit_price: ((i * 13) % 9000) / 100,
    }),
  },
  {
    collection: 'page_views',
    share: 0.35,
    fields: [
      ['at', 'usage', 'observed'],
      ['url', 'usage', 'observed'],
      ['referrer', 'usage', 'observed'],
      ['ip', 'usage', 'observed'],
      ['user_agent', 'usage', 'observed'],
      ['duration_ms', 'usage', 'observed'],
    ],
    row: (i) => ({
      at: at(i),
      url: pick(P.urls, i),
      referrer: i % 3 ? null : pick(P.urls, i + 1),
      ip: pick(P.ips, i),
      user_agent: pick(P.agents, i),
      duration_ms: (i * 31) % 60000,
    }),
  },
  {
    collection: 'support_tickets',
    share: 0.04,
    fields: [
      ['ticket', 'contact', 'provided'],
      ['opened_at', 'contact', 'observed'],
      ['subject', 'contact', 'provided'],
      ['body', 'contact', 'provided'],
      ['sentiment', 'usage', 'derived'],
    ],
    row: (i) => ({
      ticket: `T-${i}`,
      opened_at: at(i),
      subject: pick(P.products, i),
      body: pick(P.paragraphs, i),
      sentiment: (i % 5) / 4,
    }),
  },
  {
    collection: 'newsletter_events',
    share: 0.1,
    fields: [
      ['at', 'usage', 'observed'],
      ['campaign', 'usage', 'observed'],
      ['event', 'usage', 'observed'],
      ['link', 'usage', 'observed'],
    ],
    row: (i) => ({
      at: at(i),
      campaign: `2026-${(i % 12) + 1}`,
      event: ['sent', 'open', 'click'][i % 3],
      link: i % 3 === 2 ? pick(P.urls, i) : null,
    }),
  },
];
const counts = specs.map((s) => Math.round(s.share * TOTAL));
counts[counts.length - 1]! += TOTAL - counts.reduce((a, b) => a + b, 0);

async function* rows(spec: Spec, n: number) {
  for (let i = 0; i < n; i++) yield spec.row(i);
}
const sections = (): ExportSection[] =>
  specs.map((s, k) => ({
    system: k < 3 ? 'shop' : 'web',
    collection: s.collection,
    fields: s.fields.map(([name, category, portable]) => ({ name, category, portable })),
    rows: rows(s, counts[k]!),
  }));

let peak = 0;
const sample = () => {
  // rss() alone: the full memoryUsage() walks the heap's spaces, a cost the longer-running side would pay more often.
  peak = Math.max(peak, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 50);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

/** Wall time, CPU time (all threads: zlib and crypto run on the libuv pool) and peak RSS of one run. */
const timed = async (fn: () => Promise<void>) => {
  sample();
  const before = process.memoryUsage.rss();
  peak = before;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  sample();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, peak, before };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const dir = await mkdtemp(join(tmpdir(), 'lawful-bench-export-'));
try {
  // Baseline: what a hand-written "dump every collection to CSV" loop costs on the same rows.
  const baselineCsv = async () => {
    for (const [k, spec] of specs.entries()) {
      const file = createWriteStream(join(dir, `${spec.collection}.csv`));
      const csv = stringify({
        header: true,
        columns: spec.fields.map(([n]) => n),
        cast: { date: (d) => d.toISOString(), object: (o) => JSON.stringify(o) },
      });
      csv.pipe(file);
      for await (const row of rows(spec, counts[k]!)) if (!csv.write(row)) await once(csv, 'drain');
      csv.end();
      await once(file, 'close');
    }
  };
  const pkgPath = join(dir, 'package.zip');
  const packageRun = async () => {
    const out = createWriteStream(pkgPath);
    await buildExportPackage({ ...metaFixture(), sections: sections() }, out);
    if (!out.closed) await once(out, 'close');
  };

  // Warm-up, for both sides alike: JIT and file cache, and the package's workbook thread (started once per process
  // and reused, as in the server). The cold package is printed too: it pays for loading exceljs.
  await baselineCsv();
  const cold = await timed(packageRun);
  // Interleaved rounds, medians reported: a shared machine's noise hits both sides alike.
  const bases: Awaited<ReturnType<typeof timed>>[] = [];
  const pkgs: Awaited<ReturnType<typeof timed>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bases.push(await timed(baselineCsv));
    pkgs.push(await timed(packageRun));
  }
  const summary = (xs: typeof bases) => ({
    ms: median(xs.map((x) => x.ms)),
    cpuMs: median(xs.map((x) => x.cpuMs)),
    peak: Math.max(...xs.map((x) => x.peak)),
    before: Math.min(...xs.map((x) => x.before)),
  });
  const base = summary(bases);
  const pkg = summary(pkgs);
  let baseSize = 0;
  for (const s of specs) baseSize += (await stat(join(dir, `${s.collection}.csv`))).size;
  const size = (await stat(pkgPath)).size;

  print(`rows: ${TOTAL} in ${specs.length} collections, median of ${ROUNDS} interleaved rounds`);
  print(
    `baseline CSV only : ${base.ms.toFixed(0)} ms wall, ${base.cpuMs.toFixed(0)} ms CPU, peak RSS ${mb(base.peak)} (start ${mb(base.before)}), ${mb(baseSize)} of CSV`,
  );
  print(
    `full package      : ${pkg.ms.toFixed(0)} ms wall, ${pkg.cpuMs.toFixed(0)} ms CPU, peak RSS ${mb(pkg.peak)} (start ${mb(pkg.before)}), ZIP ${mb(size)}`,
  );
  print(
    `ratio time(package)/time(baseline CSV): ${(pkg.ms / base.ms).toFixed(2)} wall, ${(pkg.cpuMs / base.cpuMs).toFixed(2)} CPU  (target ≤ 3)`,
  );
  print(
    `first (cold) package: ${cold.ms.toFixed(0)} ms wall, ${cold.cpuMs.toFixed(0)} ms CPU, peak RSS ${mb(cold.peak)}`,
  );
  print(
    `per round (wall ms, baseline / package): ${bases.map((b, i) => `${b.ms.toFixed(0)} / ${pkgs[i]!.ms.toFixed(0)}`).join(', ')}`,
  );
  const worst = Math.max(pkg.peak, cold.peak);
  print(
    `peak RSS target ≤ 300 MB (all package runs, cold included): ${worst <= 300 * 1024 * 1024 ? 'met' : 'MISSED'} (${mb(worst)})`,
  );
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
