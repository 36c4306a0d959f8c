/**
 * The shipped `latchkey` command (`bin/latchkey.js`) as tests and benchmarks start it: with the node flags of its
 * `#!/usr/bin/env -S node …` line, under whichever node runs the test. Read from the file, so a changed flag is
 * what every spawned server runs with, and nothing here can drift from what operators run.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LATCHKEY_BIN = fileURLToPath(new URL('../../bin/latchkey.js', import.meta.url));

/** `--max-semi-space-size=8` and the like: everything after `node` on the launcher's first line. */
export function launcherNodeFlags(): string[] {
  const shebang = readFileSync(LATCHKEY_BIN, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node((?: --[\w-]+(?:=\S+)?)*)$/.exec(shebang);
  if (!match) throw new Error(`unexpected first line in ${LATCHKEY_BIN}: ${shebang}`);
  return match[1]!.split(' ').filter(Boolean);
}

/** The arguments for `spawn(process.execPath, …)` that run `latchkey <args…>` as the shipped command does. */
export function latchkeyCommand(...args: string[]): string[] {
  return [...launcherNodeFlags(), LATCHKEY_BIN, ...args];
}
