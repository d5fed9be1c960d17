import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { decryptFileStream, encryptFileStream } from './export.crypto.ts';
import { BUFFER } from './export.zip.ts';

/**
 * A ZIP holds each file contiguously, but rows arrive once and feed data.json, a CSV and data.xlsx at the same time.
 * data.json streams straight into the archive; the CSVs and the workbook wait here on disk, not in memory. Spool
 * files are personal data, so they are sealed with a key that lives only in this process: a crash leaves ciphertext
 * nobody can open, not a plaintext copy in /tmp.
 */
export type SpoolFile = {
  /** A plain Writable (for libraries that want one: exceljs). */
  readonly sink: Writable;
  write(data: Uint8Array | string): Promise<void> | undefined;
  /** Ends the file and waits until it is on disk. */
  end(): Promise<void>;
  /** Reads the plaintext back, authenticated. Call after `end()`. */
  read(): Readable;
};

export type Spool = { file(name: string): SpoolFile; dispose(): Promise<void> };

export const createSpool = async (parent: string = tmpdir()): Promise<Spool> => {
  const dir = await mkdtemp(join(parent, 'lawful-export-'));
  const key = randomBytes(32);
  let n = 0;
  return {
    file(name) {
      const path = join(dir, `${n++}.spool`);
      const sink = encryptFileStream(key, { highWaterMark: BUFFER });
      const disk = createWriteStream(path, { mode: 0o600, highWaterMark: BUFFER });
      sink.pipe(disk);
      const written = new Promise<void>((resolve) => disk.once('close', () => resolve()));
      let error: Error | null = null;
      const fail = (e: Error) => {
        error ??= new Error(`spool ${name}: ${e.message}`);
      };
      sink.on('error', fail);
      disk.on('error', fail);
      return {
        sink,
        write(data) {
          if (error) return Promise.reject(error);
          if (sink.write(data)) return undefined;
          // Also wake on close: a failed disk never drains, and `end()` reports the error.
          return Promise.race([once(sink, 'drain'), written]).then(
            () => undefined,
            () => undefined,
          );
        },
        async end() {
          sink.end();
          await written;
          if (error) throw error;
        },
        read() {
          const plain = decryptFileStream(key);
          const raw = createReadStream(path, { highWaterMark: BUFFER });
          raw.once('error', (e) => plain.destroy(e));
          return raw.pipe(plain);
        },
      };
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
};
