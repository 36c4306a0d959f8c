/**
 * `npm run bench:profile -- [--duration s]`: runs scenario 1's Latchkey under `node --cpu-prof`, then sorts the
 * main thread's samples into signing, HTTP, storage, JSON and the rest, and lists the hottest functions.
 * Signatures themselves run on libuv's thread pool (WebCrypto), so the main-thread profile shows what the event
 * loop spends around them; the comparison with the ceiling shows what the signatures cost.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './harness/load.ts';
import { parseInvocation } from './options.ts';
import { prepareLatchkey, startLatchkey } from './servers/latchkey.ts';
import { categorize, summarizeProfile } from './harness/cpu-profile.ts';
import type { CpuProfile } from './harness/cpu-profile.ts';

const { options } = parseInvocation(process.argv.slice(2), process.env);
const dir = mkdtempSync(join(tmpdir(), 'latchkey-profile-'));
const prepared = await prepareLatchkey({ alg: 'RS256' });
try {
  const server = await startLatchkey(prepared, { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`] });
  const result = await load(prepared.tokenRequest, options);
  await server.stop();
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('the server wrote no CPU profile');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const summary = summarizeProfile(profile, categorize);
  console.log(`latchkey under --cpu-prof: ${result.requestsPerSecond.toFixed(0)} req/s, ${result.errors} errors\n`);
  console.log('share of main-thread CPU samples:');
  for (const [category, share] of summary.categories) console.log(`  ${category.padEnd(10)} ${(share * 100).toFixed(1).padStart(5)} %`);
  console.log('\nhottest functions (self time):');
  for (const entry of summary.hottest) console.log(`  ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.label}`);
} finally {
  await prepared.drop();
  rmSync(dir, { recursive: true, force: true });
}
