import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { XlsxCell } from './export.values.ts';

/** Excel's hard limit, header row included. */
export const XLSX_MAX_ROWS = 1_048_576;

/**
 * Writes data.xlsx one sheet at a time with exceljs's streaming writer: a committed row leaves memory, and a sheet is
 * finished before the next starts (collections arrive one after another). No shared strings and no styles, so nothing
 * grows with the number of rows.
 */
export type XlsxWriter = {
  startSheet(name: string, header: string[]): void;
  addRows(rows: XlsxCell[][]): Promise<void>;
  endSheet(): void;
  /** Writes the workbook's closing parts and resolves when `out` has finished. */
  finish(): Promise<void>;
  /** Hands the thread back for the next package after a clean `finish()`, else ends it. Safe to call more than once. */
  close(): Promise<void>;
};

/** Row batches sent ahead of the worker: enough to keep it busy, few enough that memory stays at a few batches. */
const IN_FLIGHT = 2;

type FromWorker =
  | { t: 'data'; chunk: ArrayBuffer }
  | { t: 'ack'; id: number }
  | { t: 'done' }
  | { t: 'error'; message: string };

/**
 * Threads kept between packages. Loading exceljs costs about half a second of CPU, as much as writing 30,000 rows:
 * a thread that finished a workbook cleanly waits here (unref'd, so it never keeps the process alive) for the next
 * one. Packages built at the same time each get their own thread; only this many stay behind afterwards.
 */
const MAX_IDLE = 1;
/** An idle thread holds about 45 MB (exceljs and its heap): ended after this long without a package. */
const IDLE_MS = 60_000;
const idle: Worker[] = [];
const timers = new WeakMap<Worker, NodeJS.Timeout>();

const park = (worker: Worker) => {
  worker.unref();
  idle.push(worker);
  const timer = setTimeout(() => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
    void worker.terminate();
  }, IDLE_MS);
  timer.unref();
  timers.set(worker, timer);
};

const spawn = () => {
  const worker = new Worker(new URL('./export.xlsx-worker.mjs', import.meta.url), {
    // Plain JavaScript: without this the thread inherits the parent's flags, and with them a TypeScript loader (tsx in
    // development and tests) that it would load again for nothing.
    execArgv: [],
    // A streaming writer holds a few row batches at most: a small heap keeps the thread's memory (and the process's
    // peak) low, at the price of more frequent young-generation collections.
    resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16 },
  });
  // An idle thread that dies is simply forgotten; one in use reports through its writer.
  worker.once('exit', () => {
    const at = idle.indexOf(worker);
    if (at >= 0) idle.splice(at, 1);
  });
  return worker;
};

const acquire = () => {
  const worker = idle.pop() ?? spawn();
  clearTimeout(timers.get(worker));
  worker.ref();
  return worker;
};

/**
 * Starts a workbook thread ahead of the first package, so that package does not wait for exceljs to load. Optional:
 * without it the first package starts one itself.
 */
export const prewarmXlsxWriter = () => {
  if (idle.length) return;
  park(spawn());
};

/**
 * The workbook is built in a worker thread (export.xlsx-worker.mjs): exceljs's cell model and XML writer are the
 * largest single cost of a package, and there they run beside the JSON and CSV work instead of after it. Rows go over
 * in batches, at most IN_FLIGHT ahead; the workbook's bytes come back and are written to `out` in order.
 * @example
 * const xlsx = createXlsxWriter(spoolFile.sink, { created: new Date() });
 * xlsx.startSheet('customer', ['id', 'email']); await xlsx.addRows([[1, 'a@b.c']]); xlsx.endSheet(); await xlsx.finish();
 */
export const createXlsxWriter = (out: Writable, opts: { created: Date; level?: number }): XlsxWriter => {
  const worker = acquire();
  let failure: Error | null = null;
  let open = false;
  let next = 0;
  let released = false;
  let finished = false;
  const acks = new Map<number, () => void>();
  let done: (() => void) | null = null;
  const waiting: ((e: Error) => void)[] = [];
  const fail = (e: Error) => {
    failure ??= new Error(`xlsx: ${e.message}`);
    for (const reject of waiting.splice(0)) reject(failure);
    void worker.terminate();
  };
  const wait = (register: (resolve: () => void) => void) =>
    new Promise<void>((resolve, reject) => {
      if (failure) return reject(failure);
      waiting.push(reject);
      register(resolve);
    });
  const onMessage = (m: FromWorker) => {
    if (m.t === 'data') out.write(Buffer.from(m.chunk));
    else if (m.t === 'ack') acks.get(m.id)?.();
    else if (m.t === 'done') done?.();
    else fail(new Error(m.message));
  };
  const onExit = (code: number) => fail(new Error(`worker exited with code ${code}`));
  worker.on('message', onMessage);
  worker.on('error', fail);
  worker.on('exit', onExit);
  const pending: Promise<void>[] = [];
  worker.postMessage({ t: 'begin', created: opts.created.toISOString(), level: opts.level ?? 1 });

  return {
    startSheet(name, header) {
      if (open) throw new Error('xlsx: previous sheet still open');
      open = true;
      worker.postMessage({ t: 'start', name, header });
    },
    async addRows(rows) {
      if (!open) throw new Error('xlsx: no open sheet');
      if (failure) throw failure;
      const id = next++;
      const acked = wait((resolve) => acks.set(id, resolve)).finally(() => acks.delete(id));
      // Rejected when the worker fails; awaited later, or never if the build stops first: not an unhandled rejection.
      acked.catch(() => undefined);
      pending.push(acked);
      worker.postMessage({ t: 'rows', id, rows });
      if (pending.length > IN_FLIGHT) await pending.shift();
    },
    endSheet() {
      if (!open) throw new Error('xlsx: no open sheet');
      open = false;
      worker.postMessage({ t: 'end' });
    },
    async finish() {
      if (open) throw new Error('xlsx: finish() with a sheet open');
      await Promise.all(pending.splice(0));
      await wait((resolve) => {
        done = resolve;
        worker.postMessage({ t: 'finish' });
      });
      finished = true;
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(() => resolve());
      });
    },
    async close() {
      if (released) return;
      released = true;
      worker.off('message', onMessage);
      worker.off('error', fail);
      worker.off('exit', onExit);
      // Only a thread that finished its workbook cleanly is in a known state; any other is ended.
      if (finished && !failure && idle.length < MAX_IDLE) return park(worker);
      await worker.terminate();
    },
  };
};
