import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Encryption at rest for finished packages: AES-256-GCM in fixed-size chunks, so a file of any size is sealed and
 * opened in bounded memory, and each chunk is authenticated before a byte of it is released.
 *
 * File = header ‖ frame*. Header: "LWFE" ‖ version (1) ‖ chunk size (u32 BE) ‖ nonce prefix (8 random bytes).
 * Frame i: AES-GCM(chunk i) ‖ tag (16); nonce = prefix ‖ i (u32 BE); AAD = header ‖ final flag (0 or 1).
 * The counter in the nonce stops reordering and splicing; the final flag stops truncation at a frame boundary
 * (the last frame left would have been sealed with flag 0); the header in the AAD stops a changed chunk size.
 * See docs/export.md (Encryption).
 */

const MAGIC = Buffer.from('LWFE');
const VERSION = 1;
const HEADER = MAGIC.length + 1 + 4 + 8;
const TAG = 16;
const MAX_CHUNKS = 2 ** 32;
export const DEFAULT_CHUNK_SIZE = 64 * 1024;

const checkKey = (key: Uint8Array) => {
  if (key.length !== 32) throw new Error('the package key must be 32 bytes (AES-256)');
};

const aad = (header: Buffer, final: boolean) => Buffer.concat([header, Buffer.from([final ? 1 : 0])]);

const nonce = (prefix: Buffer, counter: number) => {
  if (counter >= MAX_CHUNKS) throw new Error('file too large for one package key');
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, 8);
  return n;
};

/**
 * Seals a byte stream; pipe plaintext in, ciphertext out. Use a fresh key per file.
 * @example await pipeline(createReadStream('pkg.zip'), encryptFileStream(key), createWriteStream('pkg.zip.enc'));
 */
export const encryptFileStream = (
  key: Uint8Array,
  opts: { chunkSize?: number; highWaterMark?: number } = {},
): Transform => {
  checkKey(key);
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 2 ** 24) throw new Error('chunkSize out of range');
  const prefix = randomBytes(8);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt8(VERSION, 4);
  header.writeUInt32BE(chunkSize, 5);
  prefix.copy(header, 9);
  const keyBuf = Buffer.from(key);
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let counter = 0;

  const seal = (plain: Buffer, final: boolean): Buffer => {
    const cipher = createCipheriv('aes-256-gcm', keyBuf, nonce(prefix, counter++));
    cipher.setAAD(aad(header, final));
    const body = cipher.update(plain);
    cipher.final();
    return Buffer.concat([body, cipher.getAuthTag()]);
  };

  return new Transform({
    ...(opts.highWaterMark ? { highWaterMark: opts.highWaterMark } : {}),
    construct(cb) {
      this.push(header);
      cb();
    },
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      pending.push(chunk);
      pendingLength += chunk.length;
      // Keep at least one byte back: only flush() knows which frame is the final one.
      if (pendingLength <= chunkSize) return cb();
      let all = Buffer.concat(pending);
      try {
        while (all.length > chunkSize) {
          this.push(seal(all.subarray(0, chunkSize), false));
          all = all.subarray(chunkSize);
        }
      } catch (e) {
        return cb(e as Error);
      }
      pending = [all];
      pendingLength = all.length;
      cb();
    },
    flush(cb: TransformCallback) {
      try {
        this.push(seal(Buffer.concat(pending), true));
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
};

/**
 * Opens what `encryptFileStream` sealed. Errors (and releases nothing more) on a wrong key, a changed, reordered or
 * missing frame, or a truncated file; the error can arrive after earlier, authentic chunks were released, so a
 * consumer must treat the whole output as invalid unless the stream ends cleanly.
 * @example await pipeline(createReadStream('pkg.zip.enc'), decryptFileStream(key), createWriteStream('pkg.zip'));
 */
export const decryptFileStream = (key: Uint8Array): Transform => {
  checkKey(key);
  const keyBuf = Buffer.from(key);
  let header: Buffer | null = null;
  let prefix = Buffer.alloc(0);
  let frameSize = 0;
  let buf: Buffer = Buffer.alloc(0);
  let counter = 0;

  const open = (frame: Buffer, final: boolean): Buffer => {
    if (!header) throw new Error('encrypted package: missing header');
    if (frame.length < TAG) throw new Error('encrypted package: truncated');
    const decipher = createDecipheriv('aes-256-gcm', keyBuf, nonce(prefix, counter++));
    decipher.setAAD(aad(header, final));
    decipher.setAuthTag(frame.subarray(frame.length - TAG));
    const plain = decipher.update(frame.subarray(0, frame.length - TAG));
    try {
      decipher.final();
    } catch {
      throw new Error('encrypted package: authentication failed (wrong key, tampered, reordered or truncated)');
    }
    return plain;
  };

  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      try {
        if (!header) {
          if (buf.length < HEADER) return cb();
          header = Buffer.from(buf.subarray(0, HEADER));
          if (!header.subarray(0, 4).equals(MAGIC) || header.readUInt8(4) !== VERSION) {
            throw new Error('not a Lawful encrypted package (or an unknown version)');
          }
          frameSize = header.readUInt32BE(5) + TAG;
          prefix = Buffer.from(header.subarray(9, HEADER));
          buf = buf.subarray(HEADER);
        }
        // A frame is known not to be the last only when more bytes follow it.
        while (buf.length > frameSize) {
          this.push(open(buf.subarray(0, frameSize), false));
          buf = buf.subarray(frameSize);
        }
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb: TransformCallback) {
      try {
        if (!header) throw new Error('encrypted package: truncated header');
        this.push(open(buf, true));
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
};
