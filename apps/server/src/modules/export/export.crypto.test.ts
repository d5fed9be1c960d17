import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { decryptFileStream, encryptFileStream } from './export.crypto.ts';

const HEADER = 17;
const TAG = 16;

/** Feeds `data` in uneven pieces, so framing never depends on how the caller's stream chunks it. */
const run = async (data: Buffer, through: NodeJS.ReadWriteStream): Promise<Buffer> => {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; ) {
    const n = 1 + ((i * 7919) % 5000);
    pieces.push(data.subarray(i, i + n));
    i += n;
  }
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    through,
    new Writable({
      write(c: Buffer, _e, cb) {
        out.push(c);
        cb();
      },
    }),
  );
  return Buffer.concat(out);
};

const seal = (key: Buffer, data: Buffer, chunkSize = 1024) => run(data, encryptFileStream(key, { chunkSize }));
const open = (key: Buffer, data: Buffer) => run(data, decryptFileStream(key));
const frame = (chunkSize: number) => chunkSize + TAG;

describe('encryptFileStream / decryptFileStream', () => {
  const key = randomBytes(32);

  it.each([0, 1, 1023, 1024, 1025, 4096, 10_000])('round-trips %i bytes', async (size) => {
    const data = randomBytes(size);
    const sealed = await seal(key, data);
    expect(sealed.length).toBe(HEADER + Math.max(1, Math.ceil(size / 1024)) * TAG + size);
    expect((await open(key, sealed)).equals(data)).toBe(true);
  });

  it('round-trips with the default 64 KiB chunks', async () => {
    const data = randomBytes(300_000);
    const sealed = await run(data, encryptFileStream(key));
    expect((await open(key, sealed)).equals(data)).toBe(true);
  });

  it('uses a fresh nonce prefix per file', async () => {
    const data = Buffer.from('same plaintext');
    expect((await seal(key, data)).equals(await seal(key, data))).toBe(false);
  });

  it('rejects a wrong key', async () => {
    const sealed = await seal(key, randomBytes(3000));
    await expect(open(randomBytes(32), sealed)).rejects.toThrow(/authentication failed/);
  });

  it('rejects a tampered chunk', async () => {
    const sealed = await seal(key, randomBytes(3000));
    sealed[HEADER + frame(1024) + 5]! ^= 1;
    await expect(open(key, sealed)).rejects.toThrow(/authentication failed/);
  });

  it('rejects a tampered header (chunk size)', async () => {
    const sealed = await seal(key, randomBytes(3000));
    sealed.writeUInt32BE(2048, 5);
    await expect(open(key, sealed)).rejects.toThrow(/authentication failed/);
  });

  it('rejects a file truncated at a frame boundary', async () => {
    const sealed = await seal(key, randomBytes(3000));
    await expect(open(key, sealed.subarray(0, HEADER + 2 * frame(1024)))).rejects.toThrow(/authentication failed/);
  });

  it('rejects a file truncated inside a frame, or to its header', async () => {
    const sealed = await seal(key, randomBytes(3000));
    await expect(open(key, sealed.subarray(0, sealed.length - 3))).rejects.toThrow(/authentication failed/);
    await expect(open(key, sealed.subarray(0, HEADER))).rejects.toThrow(/truncated/);
    await expect(open(key, sealed.subarray(0, 10))).rejects.toThrow(/truncated header/);
  });

  it('rejects reordered chunks', async () => {
    const sealed = await seal(key, randomBytes(3 * 1024 + 10));
    const f = (i: number) => sealed.subarray(HEADER + i * frame(1024), HEADER + (i + 1) * frame(1024));
    const swapped = Buffer.concat([sealed.subarray(0, HEADER), f(1), f(0), sealed.subarray(HEADER + 2 * frame(1024))]);
    expect(swapped.length).toBe(sealed.length);
    await expect(open(key, swapped)).rejects.toThrow(/authentication failed/);
  });

  it('rejects a frame dropped from the middle', async () => {
    const sealed = await seal(key, randomBytes(3 * 1024 + 10));
    const dropped = Buffer.concat([
      sealed.subarray(0, HEADER + frame(1024)),
      sealed.subarray(HEADER + 2 * frame(1024)),
    ]);
    await expect(open(key, dropped)).rejects.toThrow(/authentication failed/);
  });

  it('refuses keys that are not 32 bytes and files that are not packages', async () => {
    expect(() => encryptFileStream(randomBytes(16))).toThrow(/32 bytes/);
    await expect(open(key, Buffer.from('PK\u0003\u0004 definitely a zip, not a sealed package'))).rejects.toThrow(
      /not a Lawful encrypted package/,
    );
  });
});
