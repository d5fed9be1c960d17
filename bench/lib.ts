import { serve } from '@hono/node-server';
import autocannon from 'autocannon';
import { Hono } from 'hono';

/**
 * Shared pieces for benchmarks. Every figure is a ratio against a baseline measured in the same run, because this
 * machine is noisy. Traffic goes to 127.0.0.1 only and every loop is bounded in time.
 */
export type Load = { rps: number; p50: number; p99: number; errors: number; non2xx: number };

export const load = async (opts: {
  url: string;
  connections?: number;
  seconds?: number;
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
}): Promise<Load> => {
  const r = await autocannon({
    url: opts.url,
    connections: opts.connections ?? 50,
    duration: opts.seconds ?? 10,
    headers: opts.headers,
    method: opts.method ?? 'GET',
    body: opts.body,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx };
};

/** The bare framework: Hono's hello-world on the same adapter. */
export const helloWorld = async () => {
  const app = new Hono();
  app.get('/', (c) => c.text('Hello Hono!'));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
};

/** Peak resident memory while fn runs, sampled every 50 ms. */
export const peakRss = async <T>(fn: () => Promise<T>): Promise<{ result: T; peakMb: number }> => {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: Math.round(peak / 1e6) };
  } finally {
    clearInterval(timer);
  }
};

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

export const printTable = (rows: Record<string, string | number>[]) => {
  const cols = Object.keys(rows[0] ?? {});
  const w = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (v: (string | number)[]) => `| ${v.map((x, i) => String(x).padEnd(w[i]!)).join(' | ')} |`;
  process.stdout.write(`${line(cols)}\n|${w.map((n) => '-'.repeat(n + 2)).join('|')}|\n`);
  for (const r of rows) process.stdout.write(`${line(cols.map((c) => r[c]!))}\n`);
};

/** `--name 123` from the command line, or `dflt`. */
export const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

/** The p-th percentile (nearest rank) of `xs`; 0 for none. */
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

/**
 * The bare-queue baseline for the request benchmarks: `jobs` no-op pg-boss jobs sent one by one from `callers` and
 * worked by 8 workers (as many as the request queues have), in the same process and database as the workflow.
 * Returns jobs/s, or what was done when `maxMs` ran out.
 */
export const bareQueueRate = async (
  q: {
    declare(...names: string[]): void;
    work(name: string, handler: () => Promise<void>, opts: { concurrency: number }): Promise<void>;
    send(name: string, data: object): Promise<unknown>;
  },
  opts: { jobs: number; callers: number; maxMs: number },
): Promise<{ worked: number; ms: number; rate: number }> => {
  q.declare('bench.noop');
  let worked = 0;
  await q.work('bench.noop', async () => void worked++, { concurrency: 8 });
  const t0 = performance.now();
  let sent = 0;
  await Promise.all(
    Array.from({ length: opts.callers }, async () => {
      while (sent < opts.jobs) {
        sent++;
        await q.send('bench.noop', { i: sent });
      }
    }),
  );
  while (worked < opts.jobs && performance.now() - t0 < opts.maxMs) await new Promise((x) => setTimeout(x, 100));
  const ms = performance.now() - t0;
  return { worked, ms, rate: worked / (ms / 1000) };
};
