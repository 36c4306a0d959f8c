import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './load-config.ts';

export interface MasterSecret {
  readonly value: string;
  /** Where it came from, for the start-up log line (never the value). */
  readonly source: 'environment' | 'generated' | 'file';
  readonly path?: string;
}

/**
 * LATCHKEY_SECRET, or the secret kept in `<data dir>/secret` (generated on first start with mode 0600). The
 * file is created exclusively so two processes starting together cannot write two different secrets.
 */
export function resolveMasterSecret(config: Pick<Config, 'secret' | 'dataDir'>): MasterSecret {
  if (config.secret !== undefined) return { value: config.secret, source: 'environment' };
  const path = join(config.dataDir, 'secret');
  try {
    return { value: readFileSync(path, 'utf8').trim(), source: 'file', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const value = randomBytes(32).toString('base64url');
  try {
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
    return { value, source: 'generated', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { value: readFileSync(path, 'utf8').trim(), source: 'file', path };
    throw error;
  }
}
