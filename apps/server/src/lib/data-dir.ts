import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';

/**
 * The local data folder: the embedded database, generated secrets, the lock that admits one process, and the
 * address of the running server so the CLI can reach it.
 */
export const ensureDataDir = (dir: string) => {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
};

export const pgliteDir = (dir: string) => join(dir, 'pglite');

export class DataDirLocked extends Error {
  constructor(readonly dir: string) {
    super(`the data folder ${dir} is in use by another Lawful process`);
  }
}

/** Takes the folder's lock (refreshed in the background, released on exit); throws DataDirLocked if it is held. */
export const lockDataDir = async (dir: string): Promise<() => Promise<void>> => {
  ensureDataDir(dir);
  try {
    const release = await lockfile.lock(dir, {
      lockfilePath: join(dir, 'lawful.lock'),
      stale: 10_000,
      update: 2_000,
      realpath: false,
      onCompromised: () => {
        // Another process took the lock: continuing could corrupt the embedded database.
        process.stderr.write(`lawful: lost the lock on ${dir}; stopping to protect the data\n`);
        process.exit(75);
      },
    });
    return release;
  } catch (e) {
    if ((e as { code?: string }).code === 'ELOCKED') throw new DataDirLocked(dir);
    throw e;
  }
};

export type Secrets = { masterKey: string; signingKeyPem: string; operatorToken: string; generated: string[] };

const readOrCreate = (file: string, make: () => string, generated: string[], name: string) => {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  generated.push(name);
  return value;
};

/** Secrets kept in the folder when the environment does not provide them (development and embedded mode). */
export const folderSecrets = (
  dir: string,
  make: { masterKey: () => string; signingKeyPem: () => string; operatorToken: () => string },
): Secrets => {
  ensureDataDir(dir);
  const generated: string[] = [];
  return {
    masterKey: readOrCreate(join(dir, 'master.key'), make.masterKey, generated, 'master key'),
    signingKeyPem: readOrCreate(join(dir, 'signing.pem'), make.signingKeyPem, generated, 'signing key'),
    operatorToken: readOrCreate(join(dir, 'operator.token'), make.operatorToken, generated, 'operator token'),
    generated,
  };
};

export type ServerInfo = { url: string; pid: number };
const infoFile = (dir: string) => join(dir, 'server.json');

export const writeServerInfo = (dir: string, info: ServerInfo) =>
  writeFileSync(infoFile(dir), JSON.stringify(info), { mode: 0o600 });
export const clearServerInfo = (dir: string) => rmSync(infoFile(dir), { force: true });
export const readServerInfo = (dir: string): ServerInfo | null => {
  try {
    return JSON.parse(readFileSync(infoFile(dir), 'utf8')) as ServerInfo;
  } catch {
    return null;
  }
};
