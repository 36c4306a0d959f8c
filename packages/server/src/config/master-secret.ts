import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './load-config.ts';
import { ConfigError } from './definitions.ts';

/** The rule LATCHKEY_SECRET is held to (definitions.ts). */
const MIN_SECRET_LENGTH = 32;

export interface MasterSecret {
  readonly value: string;
  /** Where it came from, for the start-up log line (never the value). */
  readonly source: 'environment' | 'generated' | 'file';
  readonly path?: string;
}

/**
 * LATCHKEY_SECRET, or the secret kept in `<data dir>/secret` (generated on first start with mode 0600, in a
 * 0700 directory). The file is held to the same ≥ 32-character rule as the variable: an empty file (a first
 * write that failed) would otherwise seal every signing key under an HKDF of nothing (issue 13, 8).
 */
export function resolveMasterSecret(config: Pick<Config, 'secret' | 'dataDir'>): MasterSecret {
  if (config.secret !== undefined) return { value: config.secret, source: 'environment' };
  const path = join(config.dataDir, 'secret');
  const existing = readSecretFile(path);
  if (existing !== undefined) return existing;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  // Written whole to a temporary file, then linked into place: a crash or a full disk leaves no `secret`
  // (the next start generates one) rather than an empty one, and link(2), unlike rename(2), fails when another
  // process starting at the same time got there first, so both keep the one secret that won.
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temporary, `${value}\n`, { mode: 0o600, flag: 'wx', flush: true });
    chmodSync(temporary, 0o600);
    linkSync(temporary, path);
    return { value, source: 'generated', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readSecretFile(path) ?? refuse(path);
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readSecretFile(path: string): MasterSecret | undefined {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = content.trim();
  if (value.length < MIN_SECRET_LENGTH) refuse(path);
  keepPrivate(path);
  return { value, source: 'file', path };
}

/** A secret file left readable to others (copied in by hand, an older version) is tightened to 0600. */
function keepPrivate(path: string): void {
  try {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch (error) {
    if (!['EPERM', 'EACCES', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

function refuse(path: string): never {
  throw new ConfigError(
    `the master secret file ${path} must hold at least ${MIN_SECRET_LENGTH} characters; it is empty or too short ` +
      '(a failed first write?). Restore it from a backup, or set LATCHKEY_SECRET to the secret the signing keys were sealed with; ' +
      'delete the file only when the database holds no signing keys yet.',
  );
}
