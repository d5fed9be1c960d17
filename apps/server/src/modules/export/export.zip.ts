import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { crc32, createDeflateRaw, type DeflateRaw, type ZlibOptions } from 'node:zlib';
import { Zip, ZipPassThrough } from 'fflate';

/**
 * fflate's `ZipPassThrough` with the CRC-32 from zlib (native) instead of fflate's JavaScript loop, which cost about a
 * tenth of a package's main-thread time. Same fields, same meaning: `crc` of the raw bytes, `size` their length.
 */
class NativeCrcEntry extends ZipPassThrough {
  private running = 0;

  override push(chunk: Uint8Array, final?: boolean): void {
    if (!this.ondata) throw new Error(`zip: ${this.filename} pushed before it was added`);
    if (chunk.length) this.running = crc32(chunk, this.running);
    this.size += chunk.length;
    if (final) this.crc = this.running;
    this.process(chunk as Uint8Array<ArrayBuffer>, final ?? false);
  }
}

/**
 * fflate's streaming `Zip` lays out the archive; compression is node's zlib. fflate's own `ZipDeflate` runs DEFLATE in
 * JavaScript on the request thread (about 6× slower than zlib here, see docs/export.md); zlib works on the libuv pool.
 * fflate documents subclassing `ZipPassThrough` for exactly this: it keeps computing CRC and size from the raw bytes.
 */
class ZlibDeflateEntry extends NativeCrcEntry {
  readonly z: DeflateRaw;

  constructor(filename: string, level: number) {
    super(filename);
    this.compression = 8;
    // zlib hands its options on to the underlying Transform; the typings just do not list the stream ones.
    const zopts: ZlibOptions & { highWaterMark: number } = { level, chunkSize: 64 * 1024, highWaterMark: BUFFER };
    this.z = createDeflateRaw(zopts);
    this.z.on('data', (d: Buffer<ArrayBuffer>) => this.ondata(null, d, false));
    this.z.on('end', () => this.ondata(null, new Uint8Array(0), true));
    this.z.on('error', (e) => this.ondata(Object.assign(e, { code: 0 }), new Uint8Array(0), true));
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    if (chunk.length) this.z.write(chunk);
    if (final) this.z.end();
  }
}

/**
 * How much may wait in a buffer before the producer pauses. Node's default (16 KiB) makes the builder stop for a
 * round trip to the zlib pool every few rows; a megabyte keeps both cores busy and memory still flat.
 */
export const BUFFER = 1 << 20;
const full = (s: Writable | DeflateRaw) => s.writableNeedDrain && s.writableLength >= BUFFER;

/** One file being written into the archive. `write` resolves at once unless a downstream buffer is full. */
export type ZipEntryWriter = { write(data: Uint8Array | string): Promise<void> | undefined; end(): Promise<void> };

export type PackageZip = {
  /** Starts the next file; the previous one must have ended (a ZIP holds each file's bytes contiguously). */
  entry(name: string, opts?: { compress?: boolean }): ZipEntryWriter;
  /** Copies a readable stream in as one file. */
  addStream(name: string, source: Readable, opts?: { compress?: boolean }): Promise<void>;
  /** Writes the central directory and waits until `out` has taken every byte. */
  finish(): Promise<void>;
};

/** Streams a ZIP into `out`, honouring its back-pressure. No ZIP64: each file and the archive stay under 4 GiB. */
export const createPackageZip = (out: Writable, opts: { mtime: Date; level?: number }): PackageZip => {
  // Level 3 (zlib's fast strategy) against 6 on the benchmark's data.json and CSVs: about a third less CPU for 11 %
  // more bytes (docs/export.md).
  const level = opts.level ?? 3;
  let failure: Error | null = null;
  const finished = new Promise<void>((resolve, reject) => {
    out.once('error', (e) => {
      failure ??= e;
      reject(e);
    });
    out.once('finish', () => resolve());
  });
  finished.catch(() => {});
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      failure ??= err;
      out.destroy(err);
      return;
    }
    out.write(chunk);
    if (final) out.end();
  });
  let open = false;

  const drained = async (stream: Writable | DeflateRaw) => {
    if (failure) throw failure;
    if (full(stream)) await Promise.race([once(stream, 'drain'), finished]);
    if (failure) throw failure;
  };
  /** Waits while either the compressor or the destination is full: this is what keeps memory bounded. */
  const pressure = (z: DeflateRaw | null): Promise<void> | undefined => {
    if (failure) return Promise.reject(failure);
    if (full(out) || (z && full(z))) {
      return (async () => {
        if (z) await drained(z);
        await drained(out);
      })();
    }
    return undefined;
  };

  const entry = (name: string, entryOpts: { compress?: boolean } = {}): ZipEntryWriter => {
    if (open) throw new Error(`zip: ${name} started while another file is open`);
    open = true;
    const file = entryOpts.compress === false ? new NativeCrcEntry(name) : new ZlibDeflateEntry(name, level);
    file.mtime = opts.mtime;
    const z = file instanceof ZlibDeflateEntry ? file.z : null;
    const ended = z ? once(z, 'end').then(() => undefined) : Promise.resolve();
    zip.add(file);
    return {
      write(data) {
        const bytes = typeof data === 'string' ? Buffer.from(data) : data;
        if (bytes.length) file.push(bytes);
        return pressure(z);
      },
      async end() {
        file.push(new Uint8Array(0), true);
        await Promise.race([ended, finished]);
        open = false;
        await pressure(null);
      },
    };
  };

  return {
    entry,
    async addStream(name, source, entryOpts) {
      const w = entry(name, entryOpts);
      for await (const chunk of source) await w.write(chunk as Buffer);
      await w.end();
    },
    async finish() {
      if (open) throw new Error('zip: finish() while a file is open');
      zip.end();
      await finished;
    },
  };
};
