import { createHmac, randomBytes, scrypt } from 'node:crypto';
import { promisify } from 'node:util';
import { ArchiveManifest, type ArchivePart, TENANT_ARCHIVE_FORMAT, TENANT_ARCHIVE_VERSION } from '@lawful/contract';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { open, safeEqual, seal, sha256Hex as sha256OfBuffer } from '../../lib/crypto.ts';

const sha256Hex = (bytes: Uint8Array) => sha256OfBuffer(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

import { AppError } from '../../lib/errors.ts';

/**
 * The tenant archive (format `lawful-tenant-archive`, version 1): a zip holding
 *   manifest.json          what is inside: format, version, tenant, exporter key, every part with its row count and SHA-256
 *   manifest.mac           HMAC-SHA256 of manifest.json's bytes under a key derived from the passphrase
 *   keys.json              the tenant key and blind-index key, sealed (AES-256-GCM) under a key derived from the passphrase
 *   tables/<table>.ndjson  one JSON object per row, as PostgreSQL's row_to_json writes it
 * Everything sealed in the database (identifiers, user addresses, webhook secrets, connection URLs…) travels as the
 * same ciphertext: it stays sealed under the tenant key, which only the passphrase unwraps. Described in docs/tenants.md.
 */

const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const scryptAsync = promisify(scrypt) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: typeof SCRYPT,
) => Promise<Buffer>;

type KeysFile = {
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  tenantKey: string;
  indexKey: string;
};

export type TenantKeyMaterial = { key: Buffer; indexKey: Buffer };
export type TablePart = { table: string; columns: string[]; rows: string[] };
export type ManifestHead = Omit<ArchiveManifest, 'keys' | 'parts' | 'format' | 'version'>;

const derive = async (passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }) => {
  if (p.N > 2 ** 20 || p.r > 16 || p.p > 4) throw invalid('keys.json asks for key-derivation costs above the limits');
  const out = await scryptAsync(passphrase, salt, 64, { ...SCRYPT, N: p.N, r: p.r, p: p.p });
  return { kek: out.subarray(0, 32), macKey: out.subarray(32) };
};

const aad = (tenantId: string, which: string) => `lawful-tenant-archive:${tenantId}:${which}`;
const invalid = (message: string, field = 'archive') => new AppError('VALIDATION_FAILED', message, { field });
const partPath = (table: string) => `tables/${table}.ndjson`;

/** Builds the zip. `keys` are the tenant's raw keys; they leave only sealed under the passphrase. */
export const writeArchive = async (input: {
  head: ManifestHead;
  parts: TablePart[];
  keys: TenantKeyMaterial;
  passphrase: string;
}): Promise<Uint8Array> => {
  const salt = randomBytes(16);
  const { kek, macKey } = await derive(input.passphrase, salt, SCRYPT);
  const tenantId = input.head.tenant.id;
  const keysFile: KeysFile = {
    kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
    tenantKey: seal(kek, input.keys.key, aad(tenantId, 'tenant-key')).toString('base64'),
    indexKey: seal(kek, input.keys.indexKey, aad(tenantId, 'index-key')).toString('base64'),
  };
  const files: Record<string, Uint8Array> = {};
  const keysBytes = strToU8(JSON.stringify(keysFile, null, 2));
  files['keys.json'] = keysBytes;
  const parts: ArchivePart[] = [];
  for (const p of input.parts) {
    const bytes = strToU8(p.rows.length ? `${p.rows.join('\n')}\n` : '');
    files[partPath(p.table)] = bytes;
    parts.push({
      table: p.table,
      path: partPath(p.table),
      columns: p.columns,
      rows: p.rows.length,
      sha256: sha256Hex(bytes),
    });
  }
  const manifest: ArchiveManifest = {
    format: TENANT_ARCHIVE_FORMAT,
    version: TENANT_ARCHIVE_VERSION,
    ...input.head,
    keys: { path: 'keys.json', sha256: sha256Hex(keysBytes) },
    parts,
  };
  const manifestBytes = strToU8(JSON.stringify(manifest, null, 2));
  files['manifest.json'] = manifestBytes;
  files['manifest.mac'] = strToU8(createHmac('sha256', macKey).update(manifestBytes).digest('hex'));
  return zipSync(files, { level: 6 });
};

export type OpenedArchive = {
  manifest: ArchiveManifest;
  keys: TenantKeyMaterial;
  parts: (ArchivePart & { lines: string[] })[];
};

/**
 * Opens and checks an archive before anything is written: every part's SHA-256 against the manifest (a mismatch
 * names the part), the manifest's MAC against the passphrase, the row counts, then unwraps the keys.
 */
export const readArchive = async (zip: Uint8Array, passphrase: string): Promise<OpenedArchive> => {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    throw invalid('the file is not a zip archive (a Lawful tenant archive is one)');
  }
  const manifestBytes = files['manifest.json'];
  if (!manifestBytes) throw invalid('the archive has no manifest.json: not a Lawful tenant archive');
  let raw: unknown;
  try {
    raw = JSON.parse(strFromU8(manifestBytes));
  } catch {
    throw invalid('manifest.json is not JSON');
  }
  const format = (raw as { format?: unknown; version?: unknown } | null) ?? {};
  if (format.format !== TENANT_ARCHIVE_FORMAT) throw invalid('manifest.json does not describe a Lawful tenant archive');
  if (format.version !== TENANT_ARCHIVE_VERSION) {
    throw invalid(
      `archive format version ${String(format.version)} is not supported; this install reads version ${TENANT_ARCHIVE_VERSION}`,
    );
  }
  const parsed = ArchiveManifest.safeParse(raw);
  if (!parsed.success) throw invalid(`manifest.json is malformed at ${parsed.error.issues[0]?.path.join('.')}`);
  const manifest = parsed.data;

  const listed = new Set(['manifest.json', 'manifest.mac', manifest.keys.path, ...manifest.parts.map((p) => p.path)]);
  for (const name of Object.keys(files)) {
    if (!listed.has(name) && !name.endsWith('/'))
      throw invalid(`the archive holds ${name}, which its manifest does not list`);
  }
  const checked = (path: string, sha256: string) => {
    const bytes = files[path];
    if (!bytes) throw invalid(`archive part ${path} is missing`);
    if (sha256Hex(bytes) !== sha256) {
      throw invalid(
        `archive part ${path} does not match its SHA-256 in the manifest: the archive was altered or damaged`,
      );
    }
    return bytes;
  };
  const keysBytes = checked(manifest.keys.path, manifest.keys.sha256);
  const parts = manifest.parts.map((p) => {
    const text = strFromU8(checked(p.path, p.sha256));
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    if (lines.length !== p.rows)
      throw invalid(`archive part ${p.path} has ${lines.length} rows, its manifest says ${p.rows}`);
    return { ...p, lines };
  });

  const keysFile = JSON.parse(strFromU8(keysBytes)) as KeysFile;
  const { kek, macKey } = await derive(passphrase, Buffer.from(keysFile.kdf.salt, 'base64'), keysFile.kdf);
  const mac = files['manifest.mac'] ? strFromU8(files['manifest.mac']) : '';
  if (!safeEqual(mac, createHmac('sha256', macKey).update(manifestBytes).digest('hex'))) {
    throw invalid(
      'the passphrase does not open this archive (wrong passphrase, or the manifest was altered)',
      'passphrase',
    );
  }
  const tenantId = manifest.tenant.id;
  const keys = {
    key: open(kek, Buffer.from(keysFile.tenantKey, 'base64'), aad(tenantId, 'tenant-key')),
    indexKey: open(kek, Buffer.from(keysFile.indexKey, 'base64'), aad(tenantId, 'index-key')),
  };
  return { manifest, keys, parts };
};
