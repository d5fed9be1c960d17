// The workbook writer's thread (see export.xlsx.ts). Plain JavaScript on purpose: a worker does not inherit the
// TypeScript loader the server runs under, and this file needs nothing but exceljs. One thread writes one workbook at
// a time and then waits for the next ('begin'): loading exceljs costs about half a second, paid once per thread.
import { Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import ExcelJS from 'exceljs';

if (!parentPort) throw new Error('export.xlsx-worker.mjs runs as a worker thread only');
const port = parentPort;

/** The workbook being written, its byte sink and its open sheet. */
let wb = null;
let out = null;
/** @type {import('exceljs').Worksheet | null} */
let sheet = null;

const begin = (m) => {
  // Bytes go back to the main thread, which seals them into the spool; the buffer moves, it is not copied.
  out = new Writable({
    highWaterMark: 1 << 20,
    write(chunk, _encoding, done) {
      const copy = new Uint8Array(chunk.length);
      copy.set(chunk);
      port.postMessage({ t: 'data', chunk: copy.buffer }, [copy.buffer]);
      done();
    },
  });
  // The workbook is stored as it is in the package ZIP, so its own compression is all it gets: level 1 costs a
  // third less than the default for about a sixth more bytes (docs/export.md).
  wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
    zip: { zlib: { level: m.level } },
  });
  const created = new Date(m.created);
  wb.creator = 'Lawful';
  wb.created = created;
  wb.modified = created;
};

const handle = async (m) => {
  if (m.t === 'begin') begin(m);
  else if (m.t === 'start') {
    sheet = wb.addWorksheet(m.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(m.header).commit();
  } else if (m.t === 'rows') {
    for (const r of m.rows) sheet.addRow(r).commit();
    // exceljs hands sheet XML to its compressor without back-pressure; a turn of the loop lets it drain.
    await new Promise((r) => setImmediate(r));
    port.postMessage({ t: 'ack', id: m.id });
  } else if (m.t === 'end') {
    sheet.commit();
    sheet = null;
  } else if (m.t === 'finish') {
    await wb.commit();
    const sink = out;
    await new Promise((resolve, reject) => {
      if (sink.writableFinished) return resolve(undefined);
      sink.once('finish', resolve);
      sink.once('error', reject);
    });
    wb = null;
    out = null;
    port.postMessage({ t: 'done' });
  }
};

// Messages are handled strictly in order: each waits for the previous one.
let chain = Promise.resolve();
port.on('message', (m) => {
  chain = chain.then(() => handle(m)).catch((e) => port.postMessage({ t: 'error', message: String(e?.message ?? e) }));
});
